"""Rewards API: staff (session sign-in) assess, review, pay and export; reporters claim by receipt code.

Amounts are strings in yuan with two decimals ("3000.00"); inputs accept "3000", "3000.5" or whole numbers.
"""
import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from hazardwatch.api.pagination import page, paginate
from hazardwatch.core.errors import ApplicationError, NotFound, PermissionDenied
from hazardwatch.core.http import download_response
from hazardwatch.core.ratelimit import check_rate
from hazardwatch.rewards import export, services
from hazardwatch.rewards.models import AssessmentStatus, RewardAssessment, RewardClaim
from hazardwatch.rewards.rules import fen_to_yuan

router = Router(tags=["rewards"])
STATUS_UNKNOWN = _("Unknown status.")
EXPORT_TOO_LARGE = _("The ledger has {count} rows; filter it by year to export.")
Money = str | int | None


class ErrorOut(Schema):
    message: str
    extra: dict


class AssessmentOut(Schema):
    id: int
    case_id: int
    case_reference: str
    kind: str
    status: str
    rule: str
    clause: str
    tier: str
    fine_yuan: str | None
    amount_yuan: str | None
    min_yuan: str
    max_yuan: str
    exclusion_reason: str
    note: str
    proposed_at: dt.datetime
    proposed_by: str | None
    edited_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    claim_deadline: dt.datetime | None
    claimed: bool
    payable_yuan: str | None


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]
    next_cursor: str | None = None


class AssessmentFilter(Schema):
    status: str | None = Field(None, max_length=12)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=1000)


class ProposeIn(Schema):
    fine_yuan: Money = None
    known_note: str = Field("", max_length=2000)


class EditIn(Schema):
    fine_yuan: Money = None
    amount_yuan: Money = None
    note: str | None = Field(None, max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class PayIn(Schema):
    payment_reference: str = Field("", max_length=100)


class RevealIn(Schema):
    purpose: str = Field("payment", max_length=200)


class ClaimDetailsOut(Schema):
    name: str
    id_number: str
    phone: str
    payment_method: str
    account: str
    bank_name: str
    payable_yuan: str | None
    claimed_at: dt.datetime


class LedgerOut(Schema):
    id: int
    assessment_id: int
    case_reference: str
    amount_yuan: str
    payment_method: str
    payment_reference: str
    paid_at: dt.datetime
    paid_by: str
    payee_key: str
    audit_entry_id: int | None


class LedgerPage(Schema):
    count: int
    total_yuan: str
    items: list[LedgerOut]
    next_cursor: str | None = None


class LedgerFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=1000)


class ExportFilter(Schema):
    format: str = Field("csv", pattern="^(csv|xlsx)$")
    year: int | None = Field(None, ge=2000, le=2100)


class ReceiptIn(Schema):
    receipt_code: str = Field(..., max_length=64)


class ClaimIn(Schema):
    receipt_code: str = Field(..., max_length=64)
    name: str = Field("", max_length=100)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=30)
    payment_method: str = Field("", max_length=10)
    account: str = Field("", max_length=80)
    bank_name: str = Field("", max_length=80)
    declaration: bool = False


class RewardStatusOut(Schema):
    reference: str
    status: str
    status_label: str
    amount_yuan: str | None
    claim_deadline: dt.datetime | None
    claimed: bool
    can_claim: bool
    reason: str


class ClaimOut(Schema):
    status: str
    payable_yuan: str | None
    claim_deadline: dt.datetime | None


def _user_label(u):
    return u.get_username() if u else None


def assessment_row(a: RewardAssessment) -> dict:
    try:
        claim = a.claim  # loaded with the list (select_related); one query otherwise
    except RewardClaim.DoesNotExist:
        claim = None
    return {
        "id": a.pk, "case_id": a.case_id, "case_reference": a.case.reference, "kind": a.kind, "status": a.status,
        "rule": a.rule_name, "clause": a.clause, "tier": a.tier_code, "fine_yuan": fen_to_yuan(a.fine_fen) or None,
        "amount_yuan": fen_to_yuan(a.amount_fen) or None, "min_yuan": fen_to_yuan(a.min_fen),
        "max_yuan": fen_to_yuan(a.max_fen), "exclusion_reason": a.exclusion_reason, "note": a.note,
        "proposed_at": a.proposed_at, "proposed_by": _user_label(a.proposed_by), "edited_by": _user_label(a.edited_by),
        "decided_by": _user_label(a.decided_by), "decided_at": a.decided_at, "decision_reason": a.decision_reason,
        "claim_deadline": a.claim_deadline, "claimed": claim is not None,
        "payable_yuan": fen_to_yuan(claim.payable_fen) or None if claim else None,
    }


def _staff(request):
    if not services.is_rewards_staff(request.user):
        raise PermissionDenied(services.NOT_ALLOWED)


def _visible(request, assessment_id: int) -> RewardAssessment:
    _staff(request)
    a = services.assessments_visible_to(request.user).filter(pk=assessment_id).first()
    if a is None:
        raise NotFound(services.ASSESSMENT_NOT_FOUND)
    return a


def _ledger(request, year: int | None):
    qs = services.ledger_visible_to(request.user)
    if year:
        start = timezone.make_aware(dt.datetime(year, 1, 1))
        qs = qs.filter(paid_at__gte=start, paid_at__lt=start.replace(year=year + 1))
    return qs


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut, 429: ErrorOut}


# --- staff ----------------------------------------------------------------------------------------------

@router.get("/assessments", response={200: AssessmentPage, **ERRORS}, auth=django_auth)
def assessment_list(request, filters: Query[AssessmentFilter]):
    _staff(request)
    qs = services.assessments_visible_to(request.user)
    if filters.status:
        if filters.status not in AssessmentStatus.values:
            raise ApplicationError(STATUS_UNKNOWN, {"fields": {"status": [str(STATUS_UNKNOWN)]}})
        qs = qs.filter(status=filters.status)
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, offset=filters.offset,
                                 scope="rewards.assessments")
    return Status(200, page([assessment_row(a) for a in rows], next_cursor, qs.count()))


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS}, auth=django_auth)
def assessment_detail(request, assessment_id: int):
    return Status(200, assessment_row(_visible(request, assessment_id)))


@router.post("/cases/{case_id}/assessment", response={201: AssessmentOut, **ERRORS}, auth=django_auth)
def assessment_propose(request, case_id: int, payload: ProposeIn):
    _staff(request)
    a = services.assessment_propose(case_id=case_id, actor=request.user, fine_yuan=payload.fine_yuan,
                                    known_note=payload.known_note)
    return Status(201, assessment_row(a))


@router.post("/assessments/{assessment_id}/edit", response={200: AssessmentOut, **ERRORS}, auth=django_auth)
def assessment_edit(request, assessment_id: int, payload: EditIn):
    _staff(request)
    a = services.assessment_edit(assessment_id=assessment_id, actor=request.user, fine_yuan=payload.fine_yuan,
                                 amount_yuan=payload.amount_yuan, note=payload.note)
    return Status(200, assessment_row(a))


@router.post("/assessments/{assessment_id}/approve", response={200: AssessmentOut, **ERRORS}, auth=django_auth)
def assessment_approve(request, assessment_id: int, payload: NoteIn):
    _staff(request)
    return Status(200, assessment_row(services.assessment_approve(assessment_id=assessment_id, actor=request.user,
                                                           note=payload.note)))


@router.post("/assessments/{assessment_id}/reject", response={200: AssessmentOut, **ERRORS}, auth=django_auth)
def assessment_reject(request, assessment_id: int, payload: ReasonIn):
    _staff(request)
    return Status(200, assessment_row(services.assessment_reject(assessment_id=assessment_id, actor=request.user,
                                                          reason=payload.reason)))


@router.post("/assessments/{assessment_id}/claim", response={200: ClaimDetailsOut, **ERRORS}, auth=django_auth)
def claim_reveal(request, assessment_id: int, payload: RevealIn):
    """The claimant's identity and payment details; reward reviewers only, every call audited."""
    _staff(request)
    return Status(200, services.claim_reveal(assessment_id=assessment_id, actor=request.user, purpose=payload.purpose))


@router.post("/assessments/{assessment_id}/pay", response={201: LedgerOut, **ERRORS}, auth=django_auth)
def assessment_pay(request, assessment_id: int, payload: PayIn):
    _staff(request)
    entry = services.assessment_pay(assessment_id=assessment_id, actor=request.user,
                                    payment_reference=payload.payment_reference)
    return Status(201, ledger_row(entry))


def ledger_row(e) -> dict:
    return {"id": e.pk, "assessment_id": e.assessment_id, "case_reference": e.case_reference,
            "amount_yuan": fen_to_yuan(e.amount_fen), "payment_method": e.payment_method,
            "payment_reference": e.payment_reference, "paid_at": e.paid_at, "paid_by": e.paid_by_label,
            "payee_key": e.id_hash[:12], "audit_entry_id": e.audit_entry_id}


@router.get("/ledger", response={200: LedgerPage, **ERRORS}, auth=django_auth)
def ledger_list(request, filters: Query[LedgerFilter]):
    _staff(request)
    from django.db.models import Sum

    qs = _ledger(request, filters.year)
    total = qs.aggregate(s=Sum("amount_fen"))["s"] or 0
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, offset=filters.offset,
                                 scope="rewards.ledger")
    return Status(200, page([ledger_row(e) for e in rows], next_cursor, qs.count(), total_yuan=fen_to_yuan(total)))


@router.get("/ledger/export", response={200: None, **ERRORS}, auth=django_auth)
def ledger_export(request, filters: Query[ExportFilter]):
    _staff(request)
    return ledger_download(request, _ledger(request, filters.year), filters.format)


def ledger_download(request, qs, fmt: str) -> HttpResponse:
    from hazardwatch.core.audit import audit_append

    count = qs.count()
    if count > export.EXPORT_MAX_ROWS:
        raise ApplicationError(EXPORT_TOO_LARGE.format(count=count))
    entries = list(qs.order_by("paid_at", "id"))
    audit_append(actor=request.user, action="reward.ledger.export", obj_type="reward_ledger", obj_id="-",
                 payload={"format": fmt, "rows": count})
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        body = export.ledger_workbook(entries, title=f"Hazardwatch {stamp}")
    else:
        body = export.ledger_csv(entries)
    return download_response(body, f"reward-ledger-{stamp}.{fmt}")


# --- reporters (no sign-in; the receipt code is the key) -------------------------------------------------

@router.post("/claims/lookup", response={200: RewardStatusOut, **ERRORS}, auth=None)
def claim_lookup(request, payload: ReceiptIn):
    check_rate(request, "lookup")
    found = services.reward_for_receipt(payload.receipt_code)
    if found is None:
        raise NotFound(services.NO_REWARD)
    return Status(200, found)


@router.post("/claims", response={201: ClaimOut, **ERRORS}, auth=None)
def claim_create(request, payload: ClaimIn):
    check_rate(request, "lookup")
    data = payload.model_dump()
    code = data.pop("receipt_code")
    claim = services.claim_submit(receipt_code=code, data=data, user=request.user)
    a = claim.assessment
    return Status(201, {"status": a.status, "payable_yuan": fen_to_yuan(claim.payable_fen) or None,
                 "claim_deadline": a.claim_deadline})
