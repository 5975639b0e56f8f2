"""Campaigns API (/api/v1/campaigns/): campaigns, liaison registration, activities, summary filing, overview.

Session-authenticated. Errors are {"message", "extra"}; field errors in extra.fields. Activities take
multipart/form-data (fields plus ``photos`` files) or JSON without photos.
"""
import json

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.security import django_auth

from hazardwatch.api.pagination import page, paginate
from hazardwatch.campaigns import export, messaging, selectors, services
from hazardwatch.campaigns.models import Activity, Campaign, CampaignStatus, Liaison, SummaryVersion
from hazardwatch.core.errors import ApplicationError
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["campaigns"], auth=django_auth)

BODY_INVALID = _("The request body must be a JSON object.")
STATUS_UNKNOWN = _("Unknown status.")
STATE_UNKNOWN = _("Unknown state; use submitted, late, missing or pending.")
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _json(request) -> dict:
    if request.content_type and request.content_type.startswith("multipart/"):
        return request.POST.dict()
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(BODY_INVALID) from None
    if not isinstance(data, dict):
        raise ApplicationError(BODY_INVALID)
    return data


def campaign_out(c: Campaign, user=None) -> dict:
    out = {"id": c.pk, "title": c.title, "theme": c.theme, "description": c.description,
           "office": {"id": c.office_id, "name": c.office.name, "region": c.office.region_id},
           "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat(),
           "liaison_due": c.liaison_due.isoformat(), "summary_due": c.summary_due.isoformat(),
           "unit_kinds": c.unit_kinds, "reminder_days": c.reminder_days, "status": c.status}
    if user is not None:
        out["can_manage"] = services.can_manage(user, c)
        out["my_units"] = sorted(u for u in services.unit_ids_for_user(user))
    return out


def liaison_out(x: Liaison | None) -> dict | None:
    if x is None:
        return None
    return {"name": x.name, "position": x.position, "phone": x.phone, "email": x.email, "late": x.is_late,
            "updated_at": x.updated_at.isoformat()}


def activity_out(a: Activity) -> dict:
    return {"id": a.pk, "kind": a.kind, "held_on": a.held_on.isoformat(), "place": a.place,
            "participants": a.participants, "description": a.description, "photos": a.photos.count()}


def version_out(v: SummaryVersion) -> dict:
    return {"version": v.number, "filed_at": v.filed_at.isoformat(), "late": v.is_late, "figures": v.figures,
            "platform_figures": v.platform_figures, "narrative": v.narrative}


@router.get("/", response={200: dict, 400: ErrorOut}, summary="Campaigns you organize or take part in")
def campaign_list(request, status: str = Query("", max_length=12), limit: int = Query(50, ge=1, le=200),
                  cursor: str | None = Query(None, max_length=1000)):
    qs = services.campaigns_visible_to(request.user)
    if status:
        if status not in CampaignStatus.values:
            raise ApplicationError(STATUS_UNKNOWN, {"fields": {"status": [str(STATUS_UNKNOWN)]}})
        qs = qs.filter(status=status)
    rows, next_cursor = paginate(qs.order_by("-starts_on", "-pk"), limit=limit, cursor=cursor, scope="campaigns")
    return Status(200, page([campaign_out(c, request.user) for c in rows], next_cursor, qs.count()))


@router.post("/", response={201: dict, **E}, summary="Create a campaign (campaign office staff)")
def campaign_create(request):
    campaign = services.campaign_create(actor=request.user, data=_json(request))
    return Status(201, campaign_out(campaign, request.user))


@router.get("/{campaign_id}", response={200: dict, **E})
def campaign_detail(request, campaign_id: int):
    return Status(200, campaign_out(services.campaign_get(request.user, campaign_id), request.user))


@router.patch("/{campaign_id}", response={200: dict, **E}, summary="Change a campaign (fields not sent keep "
                                                                   "their values)")
def campaign_update(request, campaign_id: int):
    campaign = services.campaign_update(actor=request.user, campaign_id=campaign_id, data=_json(request))
    return Status(200, campaign_out(campaign, request.user))


@router.get("/{campaign_id}/units/{unit_id}", response={200: dict, **E},
            summary="One unit's liaison officer, activities, summary versions and the pre-filled figures")
def unit_detail(request, campaign_id: int, unit_id: int):
    campaign, unit = services.unit_access(request.user, campaign_id, unit_id)
    state = selectors.unit_state(campaign, unit.pk)
    return Status(200, {
        "unit": {"id": unit.pk, "name": unit.name, "kind": unit.kind, "region": unit.region_id},
        "liaison": liaison_out(state["liaison"]),
        "activities": [activity_out(a) for a in state["activities"]],
        "summary": None if state["summary"] is None else {
            "late": state["summary"].is_late, "first_filed_at": state["summary"].first_filed_at.isoformat(),
            "versions": [version_out(v) for v in state["versions"]]},
        "can_revise": state["can_revise"],
        "prefill": selectors.unit_platform_figures(campaign, [unit.pk]),
    })


@router.put("/{campaign_id}/units/{unit_id}/liaison", response={200: dict, **E},
            summary="Register or change the unit's liaison officer")
def liaison_register(request, campaign_id: int, unit_id: int):
    liaison = services.liaison_register(actor=request.user, campaign_id=campaign_id, unit_id=unit_id,
                                        data=_json(request))
    return Status(200, liaison_out(liaison))


@router.post("/{campaign_id}/units/{unit_id}/activities", response={201: dict, **E},
             summary="Record an activity (multipart with photos, or JSON)")
def activity_create(request, campaign_id: int, unit_id: int):
    activity = services.activity_create(actor=request.user, campaign_id=campaign_id, unit_id=unit_id,
                                        data=_json(request), photos=request.FILES.getlist("photos"))
    return Status(201, activity_out(activity))


@router.post("/{campaign_id}/units/{unit_id}/summary", response={201: dict, **E},
             summary="File or revise the activity summary (late filings accepted and marked late)")
def summary_file(request, campaign_id: int, unit_id: int):
    version = services.summary_file(actor=request.user, campaign_id=campaign_id, unit_id=unit_id,
                                    data=_json(request))
    return Status(201, version_out(version))


@router.get("/{campaign_id}/overview", response={200: dict, **E},
            summary="Per deadline: submitted, late and missing units (organizing office)")
def overview(request, campaign_id: int, state: str = Query("", max_length=10,
                                                          description="Only units whose summary is in this state")):
    if state not in ("", "submitted", "late", "missing", "pending"):
        raise ApplicationError(STATE_UNKNOWN, {"fields": {"state": [str(STATE_UNKNOWN)]}})
    campaign = services.campaign_get_managed(request.user, campaign_id)
    data = selectors.campaign_overview(campaign)
    if state:  # the office page's filter
        data["rows"] = [r for r in data["rows"] if r["states"]["summary"] == state]
    return Status(200, {
        "units": data["units"],
        "deadlines": [{k: (v.isoformat() if k == "due" else str(v) if k == "label" else
                           [u.pk for u in v] if k.endswith("_units") else v) for k, v in d.items()}
                      for d in data["deadlines"]],
        "rows": [{"unit": r["unit"].pk, "name": r["unit"].name, "region": r["unit"].region_id, **r["states"],
                  "liaison": liaison_out(r["liaison"])} for r in data["rows"]],
    })


@router.post("/{campaign_id}/reminders", response={200: dict, **E},
             summary="Send the reminders due today now (each reminder goes out once)")
def reminders(request, campaign_id: int):
    campaign = services.campaign_get_managed(request.user, campaign_id)
    return Status(200, {"sent": messaging.campaign_reminders_send(campaign)})


@router.get("/{campaign_id}/rollup", response={200: list, **E}, summary="The summary rolled up the region tree")
def rollup(request, campaign_id: int):
    campaign = services.campaign_get_managed(request.user, campaign_id)
    return Status(200, selectors.campaign_rollup(campaign))


@router.get("/{campaign_id}/rollup.xlsx", response={200: None, **E}, summary="The roll-up as Excel")
def rollup_xlsx(request, campaign_id: int):
    campaign = services.campaign_get_managed(request.user, campaign_id)
    return export.rollup_download(campaign)


@router.get("/{campaign_id}/rollup.pdf", response={200: None, **E}, summary="The roll-up as PDF")
def rollup_pdf(request, campaign_id: int):
    campaign = services.campaign_get_managed(request.user, campaign_id)
    data = export.rollup_pdf(campaign, selectors.campaign_rollup(campaign), selectors.campaign_overview(campaign),
                             request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="campaign-{campaign.pk}-{timezone.localdate():%Y%m%d}.pdf"'
    return response
