"""Staff pages: list the API keys a user may see, issue one (the secret is shown once), revoke one."""
import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hazardwatch.apikeys import selectors, services
from hazardwatch.apikeys.forms import PARTNER, KeyFilterForm, KeyIssueForm
from hazardwatch.core.errors import ApplicationError

NO_STAFF_ROLE = _("API keys are for staff: you hold no staff role.")
KEY_REVOKED = _("The key %(prefix)s was revoked. Systems using it are refused from now on.")
PAGE_SIZE = 50


def keys_staff_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.may_manage_keys(request.user):
            return render(request, "workbench/forbidden.html", {"message": NO_STAFF_ROLE}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@keys_staff_required
def key_list(request):
    form = KeyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.keys_visible_to(request.user, state=filters.get("state", ""), q=filters.get("q", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "apikeys/list.html", {"nav": "apikeys", "page": page, "form": form,
                                                  "querystring": params.urlencode(), "count": qs.count()})


@never_cache
@require_http_methods(["GET", "POST"])
@keys_staff_required
def key_issue(request):
    orgs = list(selectors.issuing_organizations(request.user))
    allow_partner = request.user.is_superuser
    form = KeyIssueForm(request.POST or None, organizations=orgs, allow_partner=allow_partner)
    if request.method == "POST" and form.is_valid():
        org = next(o for o in orgs if o.pk == form.cleaned_data["organization"])
        partner = allow_partner and form.cleaned_data.get("acts_as") == PARTNER
        try:
            key, raw = services.apikey_create(name=form.cleaned_data["name"], organization=org,
                                              user=None if partner else request.user, created_by=request.user)
        except ApplicationError as exc:
            for field, errs in exc.extra.get("fields", {}).items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            # The secret exists only in this response: rendered, never stored, never shown again.
            return render(request, "apikeys/issued.html", {"nav": "apikeys", "key": key, "secret": raw})
    return render(request, "apikeys/issue.html", {"nav": "apikeys", "form": form, "orgs": orgs},
                  status=400 if form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
@keys_staff_required
def key_revoke(request, pk: int):
    key = selectors.keys_visible_to(request.user).filter(pk=pk).first()
    if key is None:
        raise Http404(_("No such key in your view."))
    if request.method == "POST":
        services.apikey_revoke(key=key, actor=request.user)
        messages.success(request, KEY_REVOKED % {"prefix": key.prefix})
        return HttpResponseRedirect(reverse("apikeys:list"), status=303)
    return render(request, "apikeys/revoke.html", {"nav": "apikeys", "key": key})
