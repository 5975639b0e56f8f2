"""Staff API for cases: queue, case, timeline, transitions, evidence (session sign-in)."""
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from hazardwatch.api.pagination import page, paginate
from hazardwatch.cases import selectors, services
from hazardwatch.cases.models import Case
from hazardwatch.cases.schemas import CaseOut, CasePage, EventOut, TransitionIn
from hazardwatch.core.errors import ApplicationError, NotFound
from hazardwatch.reports.models import ReportPhoto
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["cases"], auth=django_auth)

EVIDENCE_ACTION = _("Evidence is submitted with POST /cases/{id}/evidence (multipart).")


class CaseFilter(Schema):
    status: str | None = Field(None, max_length=30)
    grade: str | None = Field(None, max_length=20)
    sector: str | None = Field(None, max_length=40)
    region: str | None = Field(None, max_length=12)
    overdue: bool | None = None
    q: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=1000)


def _list_row(c: Case) -> dict:
    return {
        "id": c.pk, "reference": c.reference, "status": c.status, "grade": c.grade, "sector": c.sector,
        "category": c.category, "title": c.title,
        "region_code": c.region.code if c.region else None, "region_name": c.region.name if c.region else None,
        "regulator": c.regulator.name if c.regulator else None,
        "responsible_unit": c.responsible_unit.name if c.responsible_unit else None,
        "deadline": c.deadline, "is_overdue": c.is_overdue, "is_listed": c.is_listed, "created_at": c.created_at,
    }


def _get_visible(request, case_id: int) -> Case:
    case = Case.objects.visible_to(request.user).select_related(
        "region", "regulator", "responsible_unit", "supervising_regulator").filter(pk=case_id).first()
    if case is None:
        raise NotFound(services.CASE_NOT_FOUND)
    return case


def _detail(request, case: Case) -> dict:
    plan = getattr(case, "plan", None) if hasattr(case, "plan") else None
    return {
        **_list_row(case), "description": case.description, "address": case.address, "place_type": case.place_type,
        "lat": case.lat, "lon": case.lon, "input_crs": case.input_crs, "h3_r9": case.h3_r9,
        "criterion_standard": case.criterion_standard, "criterion_item": case.criterion_item,
        "criterion_note": case.criterion_note, "escalation_level": case.escalation_level,
        "supervising_regulator": case.supervising_regulator.name if case.supervising_regulator else None,
        "closed_at": case.closed_at, "allowed_actions": services.actions_for(request.user, case),
        "criterion_id": case.criterion_id, "criterion_edition": case.criterion_edition,
        "is_major_candidate": case.reports.filter(is_major_candidate=True).exists(),
        "candidates": [
            {"criterion_id": m.criterion_id, "standard": m.criterion.standard.code,
             "document_number": m.criterion.standard.document_number, "edition": m.criterion.standard.edition,
             "item": m.criterion.code, "text": m.criterion.text, "score": round(m.score, 4), "is_full": m.is_full,
             "reasons": m.reasons, "unverified": m.criterion.unverified}
            for m in selectors.case_candidates(case)
        ],
        "plan": plan, "photo_count": ReportPhoto.objects.filter(report__case=case).count(),
    }


@router.get("", response=CasePage, summary="The queue: cases in your jurisdiction")
def case_list(request, filters: Query[CaseFilter]):
    qs = selectors.case_list_for_user(request.user, filters.dict(exclude={"limit", "offset", "cursor"},
                                                                 exclude_none=True))
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, offset=filters.offset,
                                 scope="cases")
    return page([_list_row(c) for c in rows], next_cursor, qs.count())


# Before /{case_id}: Django tries the routes in order.
class FlaggedSourceOut(Schema):
    kind: str
    key: str
    label: str
    total: int
    untrue: int
    share: float
    last_at: str | None


class FlaggedPage(Schema):
    count: int
    items: list[FlaggedSourceOut]
    next_cursor: str | None = None


@router.get("/flagged-sources", response={200: FlaggedPage, 400: ErrorOut},
            summary="Reporters (keyed) and devices above the share of untrue reports, in cases you see")
def flagged_source_list(request, limit: int = Query(100, ge=1, le=500),
                        cursor: str | None = Query(None, max_length=1000)):
    from hazardwatch.api.pagination import paginate_list
    from hazardwatch.reports.selectors import flagged_sources

    rows = flagged_sources(request.user)
    items, next_cursor = paginate_list(rows, limit=limit, cursor=cursor, scope="cases.flagged")
    return Status(200, page([{"kind": s.kind, "key": s.key, "label": s.label, "total": s.total, "untrue": s.untrue,
                              "share": round(s.share, 4),
                              "last_at": s.last_at.isoformat() if s.last_at else None} for s in items],
                            next_cursor, len(rows)))


@router.get("/{case_id}", response={200: CaseOut, 404: ErrorOut})
def case_detail(request, case_id: int):
    return Status(200, _detail(request, _get_visible(request, case_id)))


@router.get("/{case_id}/events", response={200: list[EventOut], 404: ErrorOut})
def case_events(request, case_id: int):
    case = _get_visible(request, case_id)
    return Status(200, [
        {"id": e.pk, "at": e.at, "actor": e.actor_label, "action": e.action, "from_status": e.from_status,
         "to_status": e.to_status, "note": e.note, "payload": e.payload, "is_public": e.is_public,
         "photo_count": len(e.photos.all())}
        for e in selectors.case_timeline(case)
    ])


@router.post("/{case_id}/transitions", response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                                  409: ErrorOut},
             summary="Apply an action (accept, reject, merge, grade, assign, plan, start, list, approve, return, note)")
def case_transition(request, case_id: int, payload: TransitionIn):
    if payload.action == "submit":
        raise ApplicationError(EVIDENCE_ACTION)
    data = payload.dict(exclude_none=True)
    action = data.pop("action")
    services.case_transition(case_id=case_id, action=action, actor=request.user, data=data)
    return Status(200, _detail(request, _get_visible(request, case_id)))


@router.post("/{case_id}/evidence", response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                              409: ErrorOut},
             summary="Submit rectification evidence: multipart with 'note' and 'photos'")
def case_evidence(request, case_id: int):
    note = request.POST.get("note", "")
    services.case_submit_evidence(case_id=case_id, actor=request.user, note=note,
                                  uploads=request.FILES.getlist("photos"))
    return Status(200, _detail(request, _get_visible(request, case_id)))


class ReporterOut(Schema):
    report_id: int
    anonymous: bool
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    is_employee: bool = False


@router.get("/{case_id}/reporters", response={200: list[ReporterOut], 403: ErrorOut, 404: ErrorOut},
            summary="Reporter identities (regulators only; every read is audited)")
def case_reporters(request, case_id: int):
    from hazardwatch.reports.services import identity_read

    case = _get_visible(request, case_id)
    if "regulator" not in services.roles_on_case(request.user, case):
        raise ApplicationError(_("Only the handling department may see who reported."), status_code=403)
    out = []
    for report in selectors.case_reports(case).order_by("submitted_at", "pk"):  # merged duplicates included
        identity = identity_read(report=report, actor=request.user, purpose=f"case {case.reference} staff view")
        out.append({"report_id": report.pk, "anonymous": identity is None, **(identity or {})})
    return Status(200, out)


class DuplicateCaseOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    regulator: str | None
    distance_m: float
    age_days: float
    photo_distance: int | None
    photo_similar: bool
    score: float


@router.get("/{case_id}/duplicates", response={200: list[DuplicateCaseOut], 404: ErrorOut},
            summary="Likely duplicates of a case among the cases you may see, best first")
def case_duplicates(request, case_id: int):
    from hazardwatch.cases.duplicates import case_duplicate_candidates

    case = _get_visible(request, case_id)
    return Status(200, [
        {"id": d.case.pk, "reference": d.case.reference, "title": d.case.title, "status": d.case.status,
         "regulator": d.case.regulator.name if d.case.regulator_id else None,
         "distance_m": round(d.distance_m, 1), "age_days": round(d.age_days, 2), "photo_distance": d.photo_distance,
         "photo_similar": d.photo_similar, "score": d.score}
        for d in case_duplicate_candidates(case, user=request.user)
    ])


# --- photos and flagged sources (the workbench's case photos and "Flagged reporters" page) ----------------

def _workbench_staff(request) -> None:
    """The workbench photo views' own role check, answered in the API's error format."""
    from hazardwatch.accounts.selectors import user_is_staff_user

    if not user_is_staff_user(request.user):
        raise ApplicationError(_("Only workbench staff may open case photos."), status_code=403)


class PhotoOut(Schema):
    id: int
    kind: str = Field(..., description="report (sent by a reporter) or evidence (rectification)")
    url: str
    thumbnail_url: str | None
    width: int
    height: int
    event_id: int | None = None


@router.get("/{case_id}/photos", response={200: list[PhotoOut], 404: ErrorOut},
            summary="Photos of a case (reported and rectification evidence) with their download URLs")
def case_photos(request, case_id: int):
    from hazardwatch.cases.models import EvidencePhoto

    case = _get_visible(request, case_id)
    out = [{"id": p.pk, "kind": "report", "url": f"/api/v1/cases/photos/report/{p.pk}",
            "thumbnail_url": f"/api/v1/cases/photos/report/{p.pk}?size=thumb", "width": p.width,
            "height": p.height}
           for p in ReportPhoto.objects.filter(report__case=case).order_by("pk")]
    out += [{"id": p.pk, "kind": "evidence", "url": f"/api/v1/cases/photos/evidence/{p.pk}", "thumbnail_url": None,
             "width": p.width, "height": p.height, "event_id": p.event_id}
            for p in EvidencePhoto.objects.filter(event__case=case).order_by("pk")]
    return Status(200, out)


@router.get("/photos/report/{photo_id}", response={200: None, 403: ErrorOut, 404: ErrorOut},
            summary="A reported photo (metadata stripped unless you handle the case); ?size=thumb for the thumbnail")
def case_report_photo(request, photo_id: int):
    from hazardwatch.workbench.views import report_photo

    _workbench_staff(request)
    return report_photo(request, photo_id)  # the workbench's own checks: visible case, derivative rules


@router.get("/photos/evidence/{photo_id}", response={200: None, 403: ErrorOut, 404: ErrorOut},
            summary="A rectification photo")
def case_evidence_photo(request, photo_id: int):
    from hazardwatch.workbench.views import evidence_photo

    _workbench_staff(request)
    return evidence_photo(request, photo_id)
