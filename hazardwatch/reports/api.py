"""Report intake and receipt look-ups. Thin: parse, call a service, return a schema."""
import json

from django.utils.translation import gettext_lazy as _
from ninja import Router, Status
from ninja.security import APIKeyHeader
from pydantic import ValidationError as PydanticError

from hazardwatch.cases import selectors as case_selectors
from hazardwatch.cases import services as case_services
from hazardwatch.cases.choices import CaseStatus
from hazardwatch.core.errors import ApplicationError, Conflict
from hazardwatch.core.ratelimit import check_rate, check_rate_key
from hazardwatch.reports import services as report_services
from hazardwatch.reports.choices import ReportSource
from hazardwatch.reports.schemas import (
    DeviceReportIn, DisputeIn, DuplicatesIn, DuplicatesOut, ErrorOut, FeedbackIn, LookupIn, ReceiptOut,
    ReportCreateIn, StatusOut,
)

router = Router(tags=["reports"])

BODY_INVALID = _("The body must be JSON, or multipart form data with a 'data' JSON field or plain fields.")

_MULTIPART_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ReportCreateIn"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "data": {"type": "string", "description": "ReportCreateIn as JSON"},
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
        "required": True,
    }
}


class DeviceKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return report_services.device_key_check(key)


def _contact_fields(raw: dict) -> dict:
    """Plain form fields `contact.name` etc. become the `contact` object."""
    contact = {k.split(".", 1)[1]: raw.pop(k) for k in list(raw) if k.startswith("contact.")}
    if contact:
        raw["contact"] = contact
    return raw


def request_body(request, message=BODY_INVALID, form_fields=None, empty=b"null") -> tuple[dict, list]:
    """(object, photos) from a JSON body (`empty` stands for an empty one), or multipart with a `data` JSON field
    (or plain fields, passed through `form_fields`) plus `photos` files; ApplicationError(message) when the body
    is not an object."""
    content_type = request.content_type or ""
    photos = []
    try:
        if content_type.startswith("multipart/form-data"):
            if "data" in request.POST:
                raw = json.loads(request.POST["data"])
            else:
                raw = {k: v for k, v in request.POST.items()}
                raw = form_fields(raw) if form_fields else raw
            photos = request.FILES.getlist("photos")
        else:
            raw = json.loads(request.body or empty)
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(message) from None
    if not isinstance(raw, dict):
        raise ApplicationError(message)
    return raw, photos


def _parse(request, schema):
    """The body validated against `schema`, plus the photos."""
    raw, photos = request_body(request, form_fields=_contact_fields)
    try:
        return schema.model_validate(raw), photos
    except PydanticError as exc:
        fields: dict[str, list[str]] = {}
        for err in exc.errors():
            fields.setdefault(".".join(str(p) for p in err["loc"]) or "body", []).append(err["msg"])
        raise ApplicationError(_("The request has invalid fields."), {"fields": fields}) from None


def _to_input(payload, photos, source, **extra) -> report_services.ReportInput:
    contact = payload.contact
    return report_services.ReportInput(
        description=payload.description, latitude=payload.latitude, longitude=payload.longitude,
        crs=payload.crs, category=payload.category or "", place_type=payload.place_type or "",
        address=payload.address or "", contact_name=(contact.name if contact else "") or "",
        contact_phone=(contact.phone if contact else "") or "", contact_email=(contact.email if contact else "") or "",
        is_employee=payload.is_employee, source=source, photos=photos,
        follow_reference=getattr(payload, "follow_reference", None) or "", **extra,
    )


def _receipt(report, code):
    case = report.case  # None until the worker has triaged a report received with defer_triage
    return Status(201, {"receipt_code": code, "status": case.status if case else case_selectors.RECEIVED,
                        "submitted_at": report.submitted_at, "reference": case.reference if case else ""})


@router.post("/reports", response={201: ReceiptOut, 400: ErrorOut, 429: ErrorOut}, openapi_extra=_MULTIPART_DOC,
             summary="Submit a hazard report (JSON, or multipart with photos)")
def report_create(request):
    check_rate(request, "intake")
    payload, photos = _parse(request, ReportCreateIn)
    source = ReportSource.EMPLOYEE if payload.is_employee else ReportSource.API
    report, code = report_services.report_submit(_to_input(payload, photos, source), limit_reporter=True,
                                                 defer_triage=True)
    return _receipt(report, code)


@router.post("/devices/reports", auth=DeviceKeyAuth(),
             response={201: ReceiptOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut}, openapi_extra=_MULTIPART_DOC,
             summary="Submit a detection from a device (X-API-Key)")
def device_report_create(request):
    check_rate_key("device", request.auth.key_hash)  # per device key (already a hash), not per address
    payload, photos = _parse(request, DeviceReportIn)
    report, code = report_services.report_submit(_to_input(
        payload, photos, ReportSource.DEVICE, device=request.auth,
        device_model=payload.device_model or "", confidence=payload.confidence,
    ), defer_triage=True)
    return _receipt(report, code)


def _status(report) -> dict:
    data = case_selectors.report_public_status(report)
    data.update(submitted_at=report.submitted_at, category=report.category, **feedback_state(report, data))
    return data


def feedback_state(report, status: dict) -> dict:
    """Whether the status page asks "was it fixed?" for this report, and the answer once given."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    answer = getattr(report, "fix_feedback", None) if hasattr(report, "fix_feedback") else None
    closed_at = status.get("closed_at")
    in_window = bool(closed_at) and timezone.now() - closed_at <= timedelta(
        days=settings.HAZARDWATCH_FEEDBACK_WINDOW_DAYS)
    return {"ask_fixed": status["status"] == CaseStatus.CLOSED and answer is None and in_window,
            "fixed_answer": answer.is_fixed if answer is not None else None}


@router.post("/reports/duplicates", response={200: DuplicatesOut, 400: ErrorOut, 429: ErrorOut},
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/DuplicatesIn"}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "data": {"type": "string", "description": "DuplicatesIn as JSON"},
                     "photos": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}},
                 "required": True}},
             summary="Likely duplicates (open cases of the same kind nearby) before submitting a report")
def report_duplicates(request):
    check_rate(request, "duplicates")
    payload, photos = _parse(request, DuplicatesIn)
    items = report_services.report_duplicates_lookup(latitude=payload.latitude, longitude=payload.longitude,
                                                     crs=payload.crs, category=payload.category, photos=photos)
    return Status(200, {"count": len(items), "items": items})


@router.post("/reports/feedback", response={200: StatusOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                            429: ErrorOut},
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackIn"}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "data": {"type": "string", "description": "FeedbackIn as JSON"},
                     "photos": {"type": "array", "items": {"type": "string", "format": "binary"},
                                "maxItems": 1}}}}},
                 "required": True}},
             summary="After closure: was it fixed? 'no' reopens the case for review (one answer per report)")
def report_feedback(request):
    check_rate(request, "lookup")
    payload, photos = _parse(request, FeedbackIn)
    feedback = report_services.report_fix_feedback(code=payload.receipt_code, fixed=payload.fixed,
                                                   comment=payload.comment or "", photos=photos)
    report = feedback.report
    report.refresh_from_db()
    return Status(200, _status(report))


@router.post("/reports/lookup", response={200: StatusOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
             summary="A report's public status and history, by receipt code")
def report_lookup(request, payload: LookupIn):
    check_rate(request, "lookup")
    report = report_services.report_by_receipt(payload.receipt_code)
    return Status(200, _status(report))


@router.post("/reports/dispute", response={200: StatusOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
             summary="Kept for compatibility: the same as feedback with fixed=false (reopens a closed case)")
def report_dispute(request, payload: DisputeIn):
    check_rate(request, "lookup")
    report = report_services.report_by_receipt(payload.receipt_code)
    if report.case_id is None:  # received moments ago, not yet routed: nothing to dispute
        message = report_services.FEEDBACK_NOT_CLOSED
        raise Conflict(message, {"fields": {"reason": [str(message)]}})
    case_services.case_transition(case_id=report.case_id, action="dispute", actor="reporter",
                                  data={"reason": payload.reason}, as_reporter=True)
    report.refresh_from_db()
    return Status(200, _status(report))
