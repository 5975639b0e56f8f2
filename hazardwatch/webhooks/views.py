"""Staff pages: subscriptions of the user's organization(s), their delivery log, replay (see docs/webhooks.md)."""
import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from hazardwatch.accounts.models import Organization, OrganizationKind
from hazardwatch.core.errors import ApplicationError, NotFound
from hazardwatch.webhooks import services
from hazardwatch.webhooks.models import DeliveryStatus, EventType
from hazardwatch.workbench.views import _forbidden, _not_found, _see_other, staff_required

PAGE_SIZE = 50
CREATED = _("The webhook subscription is created. Copy the signing secret now and keep it safe.")
SAVED = _("Saved.")
DELETED = _("The webhook subscription is deleted.")
ROTATED = _("A new signing secret is in force. Give it to the receiving system.")
REPLAYED = _("The delivery is being sent again.")


def manager_required(view):
    @functools.wraps(view)
    @staff_required
    def wrapper(request, *args, **kwargs):
        manager = services.manager_for(request.user)
        if manager is None:
            return _forbidden(request, services.NO_WEBHOOK_ROLE)
        try:
            return view(request, manager, *args, **kwargs)
        except NotFound:
            return _not_found(request)

    return wrapper


def _org_choices(manager):
    qs = Organization.objects.filter(kind=OrganizationKind.REGULATOR).order_by("region__depth", "name")
    return list(qs if manager.is_admin else qs.filter(pk__in=list(manager.org_ids)))


def _form_values(post) -> dict:
    return {
        "name": post.get("name", ""), "target_url": post.get("target_url", "").strip(),
        "event_types": post.getlist("event_types"), "organization_id": post.get("organization_id", ""),
        "is_active": post.get("is_active") == "on",
    }


def _form_context(manager, values, errors, sub=None):
    return {"values": values, "errors": errors, "sub": sub, "events": EventType.choices,
            "orgs": _org_choices(manager), "is_admin": manager.is_admin, "nav": "webhooks"}


@require_http_methods(["GET"])
@manager_required
def subscription_list(request, manager):
    subs = services.subscriptions_for(manager).order_by("name", "pk")
    return render(request, "webhooks/list.html", {"subs": subs, "nav": "webhooks",
                                                  "event_labels": dict(EventType.choices)})


@require_http_methods(["GET", "POST"])
@manager_required
def subscription_new(request, manager):
    values = {"name": "", "target_url": "", "event_types": list(EventType.values), "organization_id": "",
              "is_active": True}
    errors = {}
    if request.method == "POST":
        values = _form_values(request.POST)
        try:
            sub = services.subscription_create(manager=manager, **values)
        except ApplicationError as exc:
            errors = exc.extra.get("fields") or {"__all__": [str(exc.message)]}
        else:
            messages.success(request, CREATED)
            return _see_other(reverse("webhooks:detail", args=[sub.pk]) + "?created=1")
    return render(request, "webhooks/form.html", _form_context(manager, values, errors),
                  status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@manager_required
def subscription_detail(request, manager, pk):
    sub = services.subscription_get(manager, pk)
    errors = {}
    values = {"name": sub.name, "target_url": sub.target_url, "event_types": sub.event_types,
              "organization_id": sub.organization_id or "", "is_active": sub.is_active}
    if request.method == "POST":
        values = _form_values(request.POST)
        try:
            services.subscription_update(manager=manager, sub=sub, **values)
        except ApplicationError as exc:
            errors = exc.extra.get("fields") or {"__all__": [str(exc.message)]}
            sub.refresh_from_db()
        else:
            messages.success(request, SAVED)
            return _see_other(reverse("webhooks:detail", args=[sub.pk]))
    status = request.GET.get("status", "")
    deliveries = sub.deliveries.prefetch_related("attempt_log").order_by("-created_at")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _form_context(manager, values, errors, sub)
    context.update({"page": page, "deliveries": page.object_list, "statuses": DeliveryStatus.choices,
                    "status": status, "show_secret": request.GET.get("created") == "1",
                    "event_labels": dict(EventType.choices)})
    return render(request, "webhooks/detail.html", context, status=400 if errors else 200)


@require_POST
@manager_required
def subscription_delete(request, manager, pk):
    services.subscription_delete(manager=manager, sub=services.subscription_get(manager, pk))
    messages.success(request, DELETED)
    return _see_other(reverse("webhooks:list"))


@require_POST
@manager_required
def subscription_rotate(request, manager, pk):
    sub = services.subscription_rotate_secret(manager=manager, sub=services.subscription_get(manager, pk))
    messages.success(request, ROTATED)
    return _see_other(reverse("webhooks:detail", args=[sub.pk]) + "?created=1")


@require_POST
@manager_required
def delivery_replay(request, manager, delivery_id):
    delivery = services.delivery_replay(manager=manager, delivery=services.delivery_get(manager, delivery_id))
    messages.success(request, REPLAYED)
    return _see_other(reverse("webhooks:detail", args=[delivery.subscription_id]))
