from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hazardwatch.accounts"
    label = "accounts"

    def ready(self):
        from hazardwatch.core.security import register_checks

        register_checks()
        _admin_login_through_workbench()


def _admin_login_through_workbench() -> None:
    """The admin's own login form would skip two-factor sign-in: send it to the staff login instead."""
    from django.contrib import admin
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    def login(request, extra_context=None):
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("workbench:login"))

    admin.site.login = login
