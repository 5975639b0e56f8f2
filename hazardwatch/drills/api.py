"""Drills API: list, plan, update, start, record, cancel, observations and issues (which become hazard reports).

Bodies are JSON, or multipart form data with a `data` JSON field (or plain fields) plus `photos` files where
photos are accepted (record, observations, issues). Errors are {"message", "extra"}; field errors in
extra.fields. Session authentication (the workbench login).
"""

from django.utils.translation import gettext_lazy as _
from ninja import Router, Status
from ninja.security import django_auth

from hazardwatch.api.pagination import page, paginate
from hazardwatch.core.errors import ApplicationError
from hazardwatch.drills import selectors, services
from hazardwatch.drills.models import Drill
from hazardwatch.drills.transitions import allowed_actions
from hazardwatch.reports.api import request_body

router = Router(tags=["drills"], auth=django_auth)

BODY_INVALID = _("The body must be a JSON object, or multipart form data with a 'data' JSON field or plain fields.")
UNKNOWN_FILTER = _("Unknown filter: {names}.")
ERRORS = {400: dict, 403: dict, 404: dict, 409: dict}


def _iso(value):
    return value.isoformat() if value else None


def drill_out(d: Drill, user=None, *, detail=False) -> dict:
    out = {
        "id": d.pk, "organization_id": d.organization_id, "organization": d.organization.display_name,
        "kind": d.kind, "title": d.title, "scenario": d.scenario, "scheduled_at": _iso(d.scheduled_at),
        "place": d.place, "lat": d.lat, "lon": d.lon, "planned_minutes": d.planned_minutes,
        "planned_participants": d.planned_participants, "participant_groups": d.participant_groups,
        "status": d.status, "started_at": _iso(d.started_at), "ended_at": _iso(d.ended_at),
        "duration_minutes": d.duration_minutes, "participants": d.participants, "went_well": d.went_well,
        "problems": d.problems, "evacuation_seconds": d.evacuation_seconds,
        "headcount_expected": d.headcount_expected, "headcount_accounted": d.headcount_accounted,
        "headcount_note": d.headcount_note, "cancel_reason": d.cancel_reason,
        "updated_at": _iso(d.updated_at),
    }
    if user is not None:
        out["can_edit"] = services.can_edit(user, d)
        out["actions"] = allowed_actions(d.status) if out["can_edit"] else []
    if detail:
        out["observations"] = [{"id": o.pk, "at": _iso(o.at), "text": o.text,
                                "photos": [p.pk for p in o.photos.all()]}
                               for o in d.observations.prefetch_related("photos")]
        out["photos"] = [{"id": p.pk, "url": f"/staff/drills/photos/{p.pk}/", "observation_id": p.observation_id}
                         for p in d.photos.all()]
        out["issues"] = [issue_out(row["issue"], row["case"]) for row in selectors.drill_issues(d)]
    return out


def issue_out(issue, case) -> dict:
    return {"id": issue.pk, "description": issue.description, "category": issue.category,
            "created_at": _iso(issue.created_at),
            "case": {"id": case.pk, "reference": case.reference, "status": case.status} if case else None}


def _body(request) -> tuple[dict, list]:
    return request_body(request, BODY_INVALID, empty=b"{}")


def _filtered(request, paging: frozenset | set = frozenset()):
    """The user's drills under the list filters of the query string (unknown names → 400)."""
    unknown = sorted(set(request.GET) - set(selectors.FILTER_KEYS) - set(paging))
    if unknown:
        raise ApplicationError(UNKNOWN_FILTER.format(names=", ".join(unknown)),
                               {"fields": {k: ["unknown"] for k in unknown}})
    filters, errors = selectors.parse_filters(request.GET)
    if errors:
        raise ApplicationError(_("The request has invalid fields."), {"fields": errors})
    return selectors.drill_list_for_user(request.user, filters)


@router.get("/", response={200: dict, **ERRORS}, summary="Drills visible to you, filtered")
def drill_list(request, limit: int = 100, offset: int = 0, cursor: str | None = None):
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    qs = _filtered(request, {"limit", "offset", "cursor"})
    rows, next_cursor = paginate(qs, limit=limit, cursor=cursor, offset=offset, scope="drills")
    return page([drill_out(d) for d in rows], next_cursor, qs.count())


@router.post("/", response={201: dict, **ERRORS}, summary="Plan a drill")
def drill_create(request):
    data, _photos = _body(request)
    drill = services.drill_plan(actor=request.user, data=data)
    return Status(201, drill_out(drill, request.user))


# Before /{drill_id}: Django tries the routes in order.
@router.get("/export.xlsx", response={200: None, **ERRORS},
            summary="The filtered drill list as Excel (the same filters as GET /drills/)")
def drill_export(request):
    from django.utils import timezone

    from hazardwatch.core.http import xlsx_response
    from hazardwatch.drills import export
    from hazardwatch.drills.views import EXPORT_TOO_LARGE

    qs = _filtered(request)
    count = qs.count()
    if count > export.EXPORT_MAX_ROWS:
        raise ApplicationError(str(EXPORT_TOO_LARGE).format(count=count, limit=export.EXPORT_MAX_ROWS))
    data = export.drill_list_workbook(qs.iterator(chunk_size=2000), title=str(_("Drills")))
    return xlsx_response(data, f"drills-{timezone.localdate():%Y%m%d}.xlsx")


@router.get("/{drill_id}", response={200: dict, **ERRORS}, summary="One drill with observations and issues")
def drill_get(request, drill_id: int):
    drill = services.drill_for_user(request.user, drill_id)
    return drill_out(drill, request.user, detail=True)


@router.patch("/{drill_id}", response={200: dict, **ERRORS}, summary="Change a planned drill")
def drill_update(request, drill_id: int):
    data, _photos = _body(request)
    drill = services.drill_update(actor=request.user, drill_id=drill_id, data=data)
    return drill_out(drill, request.user)


@router.post("/{drill_id}/start", response={200: dict, **ERRORS}, summary="Start a planned drill now")
def drill_start(request, drill_id: int):
    drill = services.drill_start(actor=request.user, drill_id=drill_id)
    return drill_out(drill, request.user)


@router.post("/{drill_id}/record", response={200: dict, **ERRORS},
             summary="Record the drill: actual times, participants, evaluation, evacuation and headcount, photos")
def drill_record(request, drill_id: int):
    data, photos = _body(request)
    drill = services.drill_record(actor=request.user, drill_id=drill_id, data=data, photos=photos)
    return drill_out(drill, request.user, detail=True)


@router.post("/{drill_id}/cancel", response={200: dict, **ERRORS}, summary="Cancel a planned or running drill")
def drill_cancel(request, drill_id: int):
    data, _photos = _body(request)
    services._reject_unknown(data, ("reason",))
    drill = services.drill_cancel(actor=request.user, drill_id=drill_id, reason=data.get("reason") or "")
    return drill_out(drill, request.user)


@router.post("/{drill_id}/observations", response={201: dict, **ERRORS},
             summary="Add a timestamped observation (optionally with photos)")
def drill_observe(request, drill_id: int):
    data, photos = _body(request)
    services._reject_unknown(data, ("text", "at"))
    obs = services.drill_observe(actor=request.user, drill_id=drill_id, text=data.get("text") or "",
                                 at=data.get("at"), photos=photos)
    return Status(201, {"id": obs.pk, "at": _iso(obs.at), "text": obs.text, "photos": [p.pk for p in obs.photos.all()]})


@router.post("/{drill_id}/issues", response={201: dict, **ERRORS},
             summary="Report an issue found during the drill; it becomes a hazard report and case")
def drill_issue(request, drill_id: int):
    data, photos = _body(request)
    result = services.drill_report_issue(actor=request.user, drill_id=drill_id, data=data, photos=photos)
    case = result.issue.report.case
    return Status(201, {**issue_out(result.issue, case), "receipt_code": result.receipt_code})


@router.get("/photos/{photo_id}", response={200: None, **ERRORS}, summary="A drill photo (the drill page's photos)")
def drill_photo(request, photo_id: int):
    from hazardwatch.accounts.selectors import user_is_staff_user
    from hazardwatch.core.errors import NotFound, PermissionDenied
    from hazardwatch.drills.models import DrillPhoto
    from hazardwatch.drills.views import drill_photo as view

    if not user_is_staff_user(request.user):
        raise PermissionDenied(_("Only workbench staff may open drill photos."))
    if not DrillPhoto.objects.filter(pk=photo_id, drill__in=Drill.objects.visible_to(request.user)).exists():
        raise NotFound(_("No such photo."))
    return view(request, photo_id)
