"""Checklists API: templates, runs (start, answer, photo, complete, report a failed item), inspections.

Runs need no account: the run's token is the key. A signed-in person's runs are credited to their unit and
open only for them; session-authenticated writes are CSRF-checked. Errors are {"message", "extra"}.
"""
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth
from ninja.utils import check_csrf
from pydantic import Field

from hazardwatch.api.pagination import page, paginate
from hazardwatch.checklists import selectors, services
from hazardwatch.checklists.models import ChecklistRun, ChecklistTemplate, Inspection
from hazardwatch.core.errors import ApplicationError, PermissionDenied
from hazardwatch.core.ratelimit import check_rate
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["checklists"])
WRITE_ERRORS = {403: ErrorOut, 409: ErrorOut}  # CSRF or not your run; run completed or item locked

CSRF_FAILED = _("CSRF check failed. Reload the page and try again.")
STATE_UNKNOWN = _("Unknown state; use due, missed, late, done or all.")


def _actor(request):
    """The signed-in user (CSRF-checked for writes), or None for an anonymous family."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
        raise HttpError(403, str(CSRF_FAILED))
    return user


def template_out(t: ChecklistTemplate, items: bool = False) -> dict:
    out = {"code": t.code, "version": t.version, "audience": t.audience, "sector": t.sector,
           "title_zh": t.title_zh, "title_en": t.title_en, "intro_zh": t.intro_zh, "intro_en": t.intro_en,
           "items_count": len(t.items.all())}
    if items:
        out["items"] = [
            {"code": i.code, "section_zh": i.section_zh, "section_en": i.section_en, "text_zh": i.text_zh,
             "text_en": i.text_en, "help_zh": i.help_zh, "help_en": i.help_en, "hazard_answer": i.hazard_answer,
             "category": i.category, "sector": i.sector, "place_type": i.place_type, "criterion": i.criterion}
            for i in t.items.all()
        ]
    return out


def run_out(run: ChecklistRun) -> dict:
    answers = []
    for a in run.answers.select_related("item").order_by("item__position"):
        answers.append({"item": a.item.code, "answer": a.answer, "note": a.note, "has_photo": bool(a.photo),
                        "failed": a.is_failed, "case_reference": a.case_reference or None})
    return {"token": run.token, "template": run.template.code, "version": run.template.version,
            "status": run.status, "unit_id": run.unit_id, "inspection_id": run.inspection_id,
            "started_at": run.started_at, "completed_at": run.completed_at,
            "items_total": run.template.items.count(), "answers": answers}


def inspection_out(i: Inspection) -> dict:
    run = getattr(i, "run", None)
    return {"id": i.pk, "unit_id": i.unit_id, "unit": i.unit.name, "regulator_id": i.regulator_id,
            "template": i.template.code, "version": i.template.version, "due_date": i.due_date,
            "announced": i.announced, "status": i.status, "is_late": i.is_late, "done_at": i.done_at,
            "schedule_id": i.schedule_id, "run_token": run.token if run is not None else None}


class RunIn(Schema):
    template: str = Field(..., max_length=60)
    unit_id: int | None = None


class AnswerIn(Schema):
    item: str = Field(..., max_length=40)
    answer: str = Field(..., max_length=3)
    note: str = Field("", max_length=2000)


class AnswersIn(Schema):
    answers: list[AnswerIn] = Field(..., max_length=300)


class ReportIn(Schema):
    lat: Any = None
    lon: Any = None
    crs: str = Field("wgs84", max_length=8)


class InspectionIn(Schema):
    unit_id: Any = None
    template: str = Field("", max_length=60)
    interval: str = Field("once", max_length=12)
    due_date: str = Field("", max_length=10)
    end_date: str | None = Field(None, max_length=10)
    announced: bool = True


class InspectionFilter(Schema):
    state: str = Field("all", max_length=8)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=1000)


@router.get("/templates", summary="Current checklist templates")
def templates_list(request, audience: str | None = Query(None, max_length=12)):
    return [template_out(t) for t in selectors.templates_current(audience)]


@router.get("/templates/{code}", summary="One template with its items (current version)")
def template_detail(request, code: str):
    return template_out(services.template_current(code), items=True)


@router.post("/runs", response={201: dict, 403: ErrorOut, 404: ErrorOut},
             summary="Start a run (anonymous, or credited to your unit)")
def run_start(request, payload: RunIn):
    run = services.run_start(user=_actor(request), template_code=payload.template, unit_id=payload.unit_id)
    return Status(201, run_out(run))


@router.get("/runs/{token}", summary="A run with its answers")
def run_detail(request, token: str):
    return run_out(services.run_get(token=token, user=request.user))


@router.post("/runs/{token}/answers", response={200: dict, **WRITE_ERRORS},
             summary="Save answers (yes, no, na); items not in the template → 400")
def run_answer(request, token: str, payload: AnswersIn):
    user = _actor(request)
    run = services.run_get(token=token, user=user or request.user)
    services.run_answer(run=run, user=user, answers=[a.dict() for a in payload.answers])
    return run_out(run)


@router.post("/runs/{token}/items/{item}/photo", response={200: dict, **WRITE_ERRORS},
             summary="Attach a photo to an answered item (multipart 'photo')")
def run_photo(request, token: str, item: str, photo: UploadedFile = File(...)):
    user = _actor(request)
    run = services.run_get(token=token, user=user or request.user)
    current = run.answers.filter(item__code=item).select_related("item").first()
    if current is None:
        if not run.template.items.filter(code=item).exists():
            message = services.ITEMS_UNKNOWN.format(codes=item[:40])
            raise ApplicationError(message, {"fields": {"item": [message]}})
        raise ApplicationError(services.ITEM_NOT_ANSWERED, {"fields": {"item": [str(services.ITEM_NOT_ANSWERED)]}})
    services.run_answer(run=run, user=user, answers=[{"item": item, "answer": current.answer, "note": current.note,
                                                      "photo": photo}])
    return run_out(run)


@router.post("/runs/{token}/complete", response={200: dict, **WRITE_ERRORS},
             summary="Complete the run (every item answered)")
def run_complete(request, token: str):
    user = _actor(request)
    run = services.run_get(token=token, user=user or request.user)
    return run_out(services.run_complete(run=run, user=user))


@router.post("/runs/{token}/items/{item}/report", response={201: dict, 429: ErrorOut, **WRITE_ERRORS},
             summary="Report a failed item as a hazard (pre-classified; location from the unit or lat/lon)")
def run_report(request, token: str, item: str, payload: ReportIn):
    user = _actor(request)
    run = services.run_get(token=token, user=user or request.user)
    check_rate(request, "intake")  # a report submission, like POST /api/v1/reports
    answer, receipt = services.answer_report(run=run, user=user, item_code=item, lat=payload.lat, lon=payload.lon,
                                             crs=payload.crs, source="api")
    return Status(201, {"item": answer.item.code, "receipt_code": receipt, "case_reference": answer.case_reference,
                        "category": answer.item.category, "criterion": answer.item.criterion or None})


@router.get("/inspections", auth=django_auth, response={200: dict, 403: ErrorOut},
            summary="Inspections in your jurisdiction (staff)")
def inspections_list(request, filters: InspectionFilter = Query(...)):
    if filters.state not in selectors.INSPECTION_STATES:
        raise ApplicationError(STATE_UNKNOWN, {"fields": {"state": [str(STATE_UNKNOWN)]}})
    from hazardwatch.accounts.selectors import jurisdiction_for_user

    j = jurisdiction_for_user(request.user)
    if not (j.is_admin or j.is_regulator):
        raise PermissionDenied(services.NOT_REGULATOR)
    qs = selectors.inspections_for_staff(request.user, filters.state)
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, offset=filters.offset,
                                 scope="checklists.inspections")
    items = [inspection_out(i) for i in rows]
    return page(items, next_cursor, qs.count(), results=items)  # "results": the name before v1 lists were unified


@router.post("/inspections", auth=django_auth, response={201: dict, 403: ErrorOut},
             summary="Schedule a one-off or recurring inspection (regulator staff)")
def inspections_create(request, payload: InspectionIn):
    _schedule, first = services.inspection_schedule(actor=request.user, data=payload.dict())
    return Status(201, inspection_out(first))


@router.get("/unit-inspections", auth=django_auth, summary="Inspections of your unit (unannounced ones only once done)")
def unit_inspections(request, limit: int = Query(100, ge=1, le=500), cursor: str | None = Query(None, max_length=1000)):
    qs = selectors.inspections_for_unit(request.user)
    rows, next_cursor = paginate(qs, limit=limit, cursor=cursor, scope="checklists.unit_inspections")
    return page([inspection_out(i) for i in rows], next_cursor, qs.count())


@router.post("/inspections/{inspection_id}/start", auth=django_auth, response={201: dict, 400: ErrorOut, 403: ErrorOut,
                                                                                404: ErrorOut, 409: ErrorOut},
             summary="Start an inspection on site: opens its checklist run (the workbench's Start button)")
def inspections_start(request, inspection_id: int):
    run = services.inspection_start(actor=request.user, inspection_id=inspection_id)
    return Status(201, run_out(run))
