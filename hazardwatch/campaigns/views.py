"""Campaign pages. Units (phone first): /campaigns/… ; the organizing office: /staff/campaigns/….

Writes go through `campaigns.services`; their errors (ApplicationError) are shown on the page with the
service's 4xx status and the field messages next to the fields.
"""
import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardwatch.accounts.models import Organization
from hazardwatch.campaigns import export, messaging, selectors, services
from hazardwatch.campaigns.models import (
    FIGURE_KEYS, ActivityKind, Campaign, CampaignStatus, UnitKind,
)
from hazardwatch.core.errors import ApplicationError

NO_CAMPAIGN_ROLE = _("Your account is not staff of a campaign office.")
LIAISON_SAVED = _("The liaison officer is registered.")
ACTIVITY_SAVED = _("The activity is recorded.")
SUMMARY_SAVED = _("Summary filed (version {n}).")
SUMMARY_SAVED_LATE = _("Summary filed after the deadline (version {n}); it is accepted and marked late.")
CAMPAIGN_SAVED = _("The campaign is saved.")
REMINDERS_SENT = _("{n} reminders sent. Each reminder goes out once; units already reminded are skipped.")

FIGURE_LABELS = {
    "activities": _("Activities"), "participants": _("Participants"), "hazards_found": _("Hazards found"),
    "hazards_fixed": _("Hazards fixed"), "checklists_run": _("Checklists run"), "quiz_takers": _("Quiz takers"),
    "drills": _("Drills"),
}


def login_required_here(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _see_other(url):
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _error_page(request, exc: ApplicationError, template="campaigns/message.html"):
    return render(request, template, {"message": exc.message}, status=exc.status_code)


def _field(name, label, value="", *, kind="text", errors=None, required=True, **extra):
    return {"name": name, "label": label, "value": "" if value is None else value, "type": kind,
            "errors": (errors or {}).get(name, []), "required": required, **extra}


# --- units ------------------------------------------------------------------------------------------------------

@require_GET
@login_required_here
def unit_index(request):
    """The campaigns the user's units take part in, one line per campaign and unit."""
    unit_ids = services.unit_ids_for_user(request.user)
    units = list(Organization.objects.filter(pk__in=unit_ids).select_related("region"))
    entries = []
    for campaign in services.campaigns_visible_to(request.user).exclude(status=CampaignStatus.DRAFT):
        for unit in units:
            if services.is_participant(campaign, unit):
                entries.append({"campaign": campaign, "unit": unit})
    return render(request, "campaigns/unit_index.html", {"entries": entries, "has_units": bool(units),
                                                         "nav": "campaigns"})


def _unit_context(request, campaign, unit, *, errors=None, form=None, values=None):
    state = selectors.unit_state(campaign, unit.pk)
    prefill = selectors.unit_platform_figures(campaign, [unit.pk])
    liaison = state["liaison"]
    values = values or {}
    errors = errors or {}
    lv = values if form == "liaison" else {
        "name": liaison.name if liaison else "", "position": liaison.position if liaison else "",
        "phone": liaison.phone if liaison else "", "email": liaison.email if liaison else ""}
    current = state["summary"].current if state["summary"] else None
    fv = values if form == "summary" else {
        **{k: (current.figures.get(k) if current else prefill.get(k) or 0) for k in FIGURE_KEYS},
        "narrative": current.narrative if current else ""}
    av = values if form == "activity" else {}
    e = lambda f: errors if form == f else {}  # noqa: E731
    today = timezone.localdate()
    return {
        "campaign": campaign, "unit": unit, "state": state, "nav": "campaigns",
        "liaison_fields": [
            _field("name", _("Name"), lv.get("name"), errors=e("liaison"), maxlength=50, autocomplete="name"),
            _field("position", _("Position"), lv.get("position"), errors=e("liaison"), maxlength=80),
            _field("phone", _("Phone"), lv.get("phone"), kind="tel", errors=e("liaison"), maxlength=30,
                   help=_("Mobile (11 digits) or landline with area code, like 0371-12345678."),
                   autocomplete="tel"),
            _field("email", _("E-mail"), lv.get("email"), kind="email", errors=e("liaison"), required=False),
        ],
        "activity_kinds": ActivityKind.choices, "activity_values": av,
        "activity_errors": e("activity"),
        "activity_fields": [
            _field("held_on", _("Date"), av.get("held_on"), kind="date", errors=e("activity"),
                   min=campaign.starts_on.isoformat(), max=min(campaign.ends_on, today).isoformat()),
            _field("place", _("Place"), av.get("place"), errors=e("activity"), maxlength=200),
            _field("participants", _("Participants"), av.get("participants"), kind="number", errors=e("activity"),
                   min=1, inputmode="numeric"),
        ],
        "summary_fields": [
            {**_field(k, FIGURE_LABELS[k], fv.get(k), kind="number", errors=e("summary"), min=0,
                      inputmode="numeric"), "platform": prefill.get(k)} for k in FIGURE_KEYS],
        "narrative": fv.get("narrative", ""), "summary_errors": e("summary"),
        "late_now": today > campaign.summary_due, "liaison_late_now": today > campaign.liaison_due,
        "is_member": unit.pk in services.unit_ids_for_user(request.user),
        "is_open": campaign.status == CampaignStatus.OPEN,
    }


@require_GET
@login_required_here
def unit_page(request, campaign_id: int, unit_id: int):
    try:
        campaign, unit = services.unit_access(request.user, campaign_id, unit_id)
    except ApplicationError as exc:
        return _error_page(request, exc)
    return render(request, "campaigns/unit.html", _unit_context(request, campaign, unit))


def _unit_post(request, campaign_id, unit_id, form: str, action):
    try:
        campaign, unit = services.unit_access(request.user, campaign_id, unit_id)
    except ApplicationError as exc:
        return _error_page(request, exc)
    try:
        message = action(campaign, unit)
    except ApplicationError as exc:
        fields = exc.extra.get("fields")
        if not fields:
            return _error_page(request, exc)
        context = _unit_context(request, campaign, unit, errors=fields, form=form, values=request.POST.dict())
        context["error_message"] = exc.message
        return render(request, "campaigns/unit.html", context, status=exc.status_code)
    messages.success(request, message)
    return _see_other(reverse("campaigns:unit", args=[campaign.pk, unit.pk]) + f"#{form}")


@require_POST
@login_required_here
def unit_liaison(request, campaign_id: int, unit_id: int):
    def act(campaign, unit):
        services.liaison_register(actor=request.user, campaign_id=campaign.pk, unit_id=unit.pk,
                                  data=request.POST.dict())
        return LIAISON_SAVED

    return _unit_post(request, campaign_id, unit_id, "liaison", act)


@require_POST
@login_required_here
def unit_activity(request, campaign_id: int, unit_id: int):
    def act(campaign, unit):
        services.activity_create(actor=request.user, campaign_id=campaign.pk, unit_id=unit.pk,
                                 data=request.POST.dict(), photos=request.FILES.getlist("photos"))
        return ACTIVITY_SAVED

    return _unit_post(request, campaign_id, unit_id, "activity", act)


@require_POST
@login_required_here
def unit_summary(request, campaign_id: int, unit_id: int):
    def act(campaign, unit):
        version = services.summary_file(actor=request.user, campaign_id=campaign.pk, unit_id=unit.pk,
                                        data=request.POST.dict())
        return (SUMMARY_SAVED_LATE if version.is_late else SUMMARY_SAVED).format(n=version.number)

    return _unit_post(request, campaign_id, unit_id, "summary", act)


# --- office -----------------------------------------------------------------------------------------------------

def office_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (services.office_ids_for_user(request.user) or services.is_admin(request.user)):
            return render(request, "campaigns/staff_message.html", {"message": NO_CAMPAIGN_ROLE}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _managed(request, campaign_id):
    return services.campaign_get_managed(request.user, campaign_id)


@require_GET
@office_required
def office_index(request):
    campaigns = [c for c in services.campaigns_visible_to(request.user) if services.can_manage(request.user, c)]
    return render(request, "campaigns/office_index.html", {"campaigns": campaigns, "nav": "campaigns"})


def _campaign_form_context(campaign: Campaign | None, values: dict, errors: dict, offices) -> dict:
    def v(name, default=""):
        if name in values:
            return values[name]
        value = getattr(campaign, name, None) if campaign else None
        return value.isoformat() if hasattr(value, "isoformat") else (default if value is None else value)

    kinds = values.getlist("unit_kinds") if hasattr(values, "getlist") else (
        campaign.unit_kinds if campaign else [k.value for k in UnitKind])
    return {
        "campaign": campaign, "offices": offices, "errors": errors, "nav": "campaigns",
        "office_id": str(values.get("office_id", campaign.office_id if campaign else "")),
        "fields": [
            _field("title", _("Title"), v("title"), errors=errors, maxlength=200),
            _field("theme", _("Theme"), v("theme"), errors=errors, maxlength=300),
            _field("starts_on", _("Starts on"), v("starts_on"), kind="date", errors=errors),
            _field("ends_on", _("Ends on"), v("ends_on"), kind="date", errors=errors),
            _field("liaison_due", _("Liaison officer due"), v("liaison_due"), kind="date", errors=errors),
            _field("summary_due", _("Activity summary due"), v("summary_due"), kind="date", errors=errors),
            _field("reminder_days", _("Remind this many days before a deadline"), v("reminder_days", 3),
                   kind="number", errors=errors, min=0, max=60),
        ],
        "description": v("description"), "unit_kinds": UnitKind.choices, "kinds_checked": kinds,
        "statuses": CampaignStatus.choices, "status": v("status", CampaignStatus.DRAFT),
    }


def _form_data(post) -> dict:
    data = post.dict()
    data["unit_kinds"] = post.getlist("unit_kinds")
    return data


@require_http_methods(["GET", "POST"])
@office_required
def office_new(request):
    offices = Organization.objects.filter(pk__in=services.office_ids_for_user(request.user))
    if request.method == "POST":
        try:
            campaign = services.campaign_create(actor=request.user, data=_form_data(request.POST))
        except ApplicationError as exc:
            if not exc.extra.get("fields"):
                return _error_page(request, exc, "campaigns/staff_message.html")
            ctx = _campaign_form_context(None, request.POST, exc.extra["fields"], offices)
            return render(request, "campaigns/office_form.html", {**ctx, "error_message": exc.message},
                          status=exc.status_code)
        messages.success(request, CAMPAIGN_SAVED)
        return _see_other(reverse("campaigns:office_detail", args=[campaign.pk]))
    return render(request, "campaigns/office_form.html", _campaign_form_context(None, {}, {}, offices))


@require_http_methods(["GET", "POST"])
@office_required
def office_edit(request, campaign_id: int):
    try:
        campaign = _managed(request, campaign_id)
    except ApplicationError as exc:
        return _error_page(request, exc, "campaigns/staff_message.html")
    if request.method == "POST":
        try:
            services.campaign_update(actor=request.user, campaign_id=campaign.pk, data=_form_data(request.POST))
        except ApplicationError as exc:
            if not exc.extra.get("fields"):
                return _error_page(request, exc, "campaigns/staff_message.html")
            ctx = _campaign_form_context(campaign, request.POST, exc.extra["fields"], [])
            return render(request, "campaigns/office_form.html", {**ctx, "error_message": exc.message},
                          status=exc.status_code)
        messages.success(request, CAMPAIGN_SAVED)
        return _see_other(reverse("campaigns:office_detail", args=[campaign.pk]))
    return render(request, "campaigns/office_form.html", _campaign_form_context(campaign, {}, {}, []))


@require_GET
@office_required
def office_detail(request, campaign_id: int):
    try:
        campaign = _managed(request, campaign_id)
    except ApplicationError as exc:
        return _error_page(request, exc, "campaigns/staff_message.html")
    overview = selectors.campaign_overview(campaign)
    rows = selectors.campaign_rollup(campaign)
    state_filter = request.GET.get("state", "")
    unit_rows = overview["rows"]
    if state_filter in ("submitted", "late", "missing", "pending"):
        unit_rows = [r for r in unit_rows if r["states"]["summary"] == state_filter]
    return render(request, "campaigns/office_detail.html", {
        "campaign": campaign, "overview": overview, "unit_rows": unit_rows, "state_filter": state_filter,
        "headers": [h for _k, h in export.rollup_headers()], "table": export.table_rows(rows), "nav": "campaigns",
    })


@require_POST
@office_required
def office_remind(request, campaign_id: int):
    try:
        campaign = _managed(request, campaign_id)
    except ApplicationError as exc:
        return _error_page(request, exc, "campaigns/staff_message.html")
    sent = messaging.campaign_reminders_send(campaign)
    messages.success(request, gettext(str(REMINDERS_SENT)).format(n=sent))
    return _see_other(reverse("campaigns:office_detail", args=[campaign.pk]))


@require_GET
@office_required
def office_xlsx(request, campaign_id: int):
    try:
        campaign = _managed(request, campaign_id)
    except ApplicationError as exc:
        return _error_page(request, exc, "campaigns/staff_message.html")
    return export.rollup_download(campaign)


@require_GET
@office_required
def office_pdf(request, campaign_id: int):
    try:
        campaign = _managed(request, campaign_id)
    except ApplicationError as exc:
        return _error_page(request, exc, "campaigns/staff_message.html")
    data = export.rollup_pdf(campaign, selectors.campaign_rollup(campaign), selectors.campaign_overview(campaign),
                             request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="campaign-{campaign.pk}-{timezone.localdate():%Y%m%d}.pdf"'
    return response
