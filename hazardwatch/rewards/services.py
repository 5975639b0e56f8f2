"""Every write of the rewards app: rules, proposals, review, claims, payment, reminders; plus the shared reads.

A case is *verified* for rewards when the responsible department accepted it and determined its grade
(general or major) and it was not rejected or merged: status is triaged-with-grade, assigned, rectifying,
awaiting acceptance, or closed. Only the first valid report of the case (`cases.selectors.first_valid_report`)
is rewarded.
"""
import datetime as dt
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Membership, Role
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.cases.choices import CaseGrade, CaseStatus
from hazardwatch.cases.models import Case
from hazardwatch.core import secrets as hw_secrets
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hazardwatch.rewards import identity as idn
from hazardwatch.rewards import rules as R
from hazardwatch.rewards.models import (AssessmentStatus, LedgerEntry, PaymentMethod, RewardAssessment, RewardClaim,
                                        RewardKind, RewardReminder, RewardRule)

ASSESSMENT_NOT_FOUND = _("No such reward assessment.")
CASE_NOT_FOUND = _("No such case.")
CASE_NOT_VERIFIED = _("This case is not verified yet: a reward is assessed only after the department accepted the "
                      "report and determined the grade.")
CASE_HAS_NO_REPORT = _("This case has no report from the public, so there is no one to reward.")
ALREADY_ASSESSED = _("This case already has a reward assessment.")
NOT_ALLOWED = _("You are not allowed to do this with rewards in this region.")
ONLY_REVIEWER = _("Only a reward reviewer of this region can decide on rewards.")
OWN_ASSESSMENT = _("You proposed or edited this assessment, so another reviewer must decide on it.")
NOT_PROPOSED = _("Only a proposed assessment can be changed or decided; this one is “{status}”.")
NOT_APPROVED = _("Only an approved reward can be paid; this one is “{status}”.")
ALREADY_PAID = _("This reward has already been paid.")
FINE_REQUIRED = _("Enter the administrative fine: the reward for a major hazard is a share of it.")
FINE_INVALID = _("The fine must be an amount in yuan with at most two decimals.")
AMOUNT_INVALID = _("The amount must be in yuan with at most two decimals.")
AMOUNT_OUT_OF_BOUNDS = _("The amount must be between {low} and {high} yuan under {rule}.")
NO_TIER = _("The rule {rule} has no tier for general hazards of this kind.")
REASON_REQUIRED = _("Please give a reason.")
TEXT_TOO_LONG = _("The text is longer than {limit} characters.")
PAYMENT_REFERENCE_REQUIRED = _("Enter the payment reference (bank or transfer number).")
NO_CLAIM = _("The reporter has not claimed this reward yet, so there is no one to pay.")

NO_REWARD = _("There is no reward for this report (yet). A reward is assessed after the hazard is verified.")
NOT_FIRST_REPORTER = _("Another person reported this hazard first; only the first valid reporter is rewarded.")
ALREADY_CLAIMED = _("This reward has already been claimed.")
CLAIMED_CANNOT_REJECT = _("This reward has already been claimed by the reporter, so it can no longer be rejected. "
                          "Record the payment, or correct the matter through the department's review procedure.")
CLAIM_CLOSED = _("This reward can no longer be claimed: it is “{status}”.")
CLAIM_EXPIRED = _("The claim period ended on {date}. Unclaimed rewards are waived.")
CLAIM_INVALID = _("The claim has errors. Please correct them and send it again.")
NAME_REQUIRED = _("Enter your name as on your ID card.")
ID_INVALID = _("This is not a valid resident ID number (18 characters; the last one is a check digit or X).")
PHONE_INVALID = _("Enter a mainland mobile number (11 digits starting with 1).")
METHOD_INVALID = _("Choose how you want to be paid: bank account, Alipay or WeChat Pay.")
ACCOUNT_INVALID = _("This account does not look right for the payment method you chose.")
BANK_NAME_REQUIRED = _("Enter the name of the bank.")
DECLARATION_REQUIRED = _("Please confirm that you have no supervisory duty over this matter.")
STAFF_CANNOT_CLAIM = _("Staff with supervisory duties over this matter cannot claim a reward for it.")
CAP_REACHED = _("The limit of rewards per person in this period has been reached under {rule}.")

TEXT_LIMIT = 2000
VERIFIED_STATUSES = frozenset({CaseStatus.TRIAGED, CaseStatus.ASSIGNED, CaseStatus.RECTIFYING,
                               CaseStatus.AWAITING_VERIFICATION, CaseStatus.CLOSED})
CLAIMABLE = frozenset({AssessmentStatus.PROPOSED, AssessmentStatus.APPROVED})
# Sources that mean the matter came from the regulator's own work, not from a member of the public.
KNOWN_SOURCES = {"staff": _("The case was opened by the department's own inspection (entered by staff)."),
                 "device": _("The case came from a monitoring device, not from a person.")}


def _fields_error(message, field: str, status_code: int = 400):
    return ApplicationError(message, {"fields": {field: [str(message)]}}, status_code=status_code)


def _text(value, field: str, *, required=None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fields_error(REASON_REQUIRED, field)
    value = value.strip()
    if len(value) > TEXT_LIMIT:
        raise _fields_error(TEXT_TOO_LONG.format(limit=TEXT_LIMIT), field)
    if required and not value:
        raise _fields_error(required, field)
    return value


def _money(value, field: str, message) -> int | None:
    if value in (None, ""):
        return None
    try:
        return R.yuan_to_fen(value)
    except R.RuleError:
        raise _fields_error(message, field) from None


# --- who may do what ------------------------------------------------------------------------------------

def reviewer_paths(user) -> list[str] | None:
    """Region paths where the user is a reward reviewer (administrators are not reviewers by that alone)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    paths = list(Membership.objects.filter(user=user, role=Role.REWARD_REVIEWER)
                 .values_list("organization__region__path", flat=True))
    return paths


def is_reviewer_for(user, case: Case) -> bool:
    return any(case.region_path.startswith(p) for p in reviewer_paths(user))


def is_rewards_staff(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    j = jurisdiction_for_user(user)
    return j.is_admin or j.is_regulator or bool(reviewer_paths(user))


def assessments_visible_to(user):
    """Reward reviewers see their regions; regulators the cases they see; administrators all."""
    qs = RewardAssessment.objects.select_related("case", "report", "proposed_by", "edited_by", "decided_by", "claim")
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    j = jurisdiction_for_user(user)
    if j.is_admin:
        return qs
    q = Q(pk__in=[])
    for path in reviewer_paths(user):
        q |= Q(case__region_path__startswith=path)
    if j.is_regulator:
        q |= Q(case__in=Case.objects.visible_to(user).values("pk"))
    return qs.filter(q)


def ledger_visible_to(user):
    qs = LedgerEntry.objects.all()
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    if jurisdiction_for_user(user).is_admin:
        return qs
    q = Q(pk__in=[])
    for path in reviewer_paths(user):
        q |= Q(region_path__startswith=path)
    return qs.filter(q)


def _can_propose(user, case: Case) -> bool:
    if user is None:
        return True  # the platform itself (periodic job)
    from hazardwatch.cases.services import roles_on_case

    return "regulator" in roles_on_case(user, case) or is_reviewer_for(user, case)


def _get_for_update(assessment_id: int, actor) -> RewardAssessment:
    found = RewardAssessment.objects.select_for_update().filter(pk=assessment_id).first()
    if found is None or (actor is not None and not assessments_visible_to(actor).filter(pk=found.pk).exists()):
        raise NotFound(ASSESSMENT_NOT_FOUND)
    return found


def _audit(actor, action: str, assessment: RewardAssessment, payload: dict | None = None):
    return audit_append(actor=actor, action=f"reward.{action}", obj_type="reward_assessment", obj_id=assessment.pk,
                        payload={"case": assessment.case.reference, "status": assessment.status, **(payload or {})})


# --- rules ---------------------------------------------------------------------------------------------

@transaction.atomic
def rules_load(path, *, actor=None) -> dict:
    """Create or update the rules of a YAML file (all or nothing). Returns counts."""
    from hazardwatch.places.models import Division

    parsed = R.read_rules_file(path)
    counts = {"created": 0, "updated": 0}
    for values in parsed:
        code = values.pop("region")
        if code is not None and not Division.objects.filter(code=code).exists():
            raise R.RuleError(f"unknown division code {code}")
        row = RewardRule.objects.filter(region_id=code).first() if code else \
            RewardRule.objects.filter(region__isnull=True).first()
        if row is None:
            row = RewardRule(region_id=code)
            counts["created"] += 1
        else:
            counts["updated"] += 1
        for key, value in values.items():
            setattr(row, key, value)
        try:
            row.full_clean(validate_unique=False)
        except DjangoValidationError as exc:
            raise R.RuleError(f"{row.name}: {exc.message_dict if hasattr(exc, 'error_dict') else exc}") from None
        row.save()
        audit_append(actor=actor, action="reward.rule.load", obj_type="reward_rule", obj_id=row.pk,
                     payload={"region": code, "name": row.name, "file": str(path)})
    return counts


# --- proposing -------------------------------------------------------------------------------------------

def case_is_verified(case: Case) -> bool:
    return case.status in VERIFIED_STATUSES and case.grade in CaseGrade.values


def exclusions_for(case: Case, report) -> list[str]:
    """Reasons why this matter earns no reward (already known to the regulator)."""
    reasons = []
    if report.source in KNOWN_SOURCES:
        reasons.append(str(KNOWN_SOURCES[report.source]))
    if case.is_listed and case.listed_at and case.listed_at < report.submitted_at:
        reasons.append(str(_("The hazard was already listed for supervision before it was reported.")))
    return reasons


def _bounds(kind: str, rule: R.AppliedRule) -> tuple[int, int]:
    if kind == RewardKind.MAJOR:
        return rule.major_min_fen, rule.major_max_fen
    amounts = [t["amount_fen"] for t in rule.general_tiers] or [0]
    return min(amounts), max(amounts)


def _check_bounds(assessment: RewardAssessment, amount: int) -> None:
    if not assessment.min_fen <= amount <= assessment.max_fen:
        message = AMOUNT_OUT_OF_BOUNDS.format(low=R.fen_to_yuan(assessment.min_fen),
                                              high=R.fen_to_yuan(assessment.max_fen), rule=assessment.rule_name)
        raise ApplicationError(message, {"fields": {"amount_yuan": [message]},
                                         "min_yuan": R.fen_to_yuan(assessment.min_fen),
                                         "max_yuan": R.fen_to_yuan(assessment.max_fen)})


@transaction.atomic
def assessment_propose(*, case_id: int, actor=None, fine_yuan=None, known_note: str = "") -> RewardAssessment:
    """Propose the reward for a verified case from the rule of its region.

    Major: percent of the fine (entered by staff; without it the amount stays empty until an edit), held
    within the rule's minimum and maximum. General: the tier of the case's category. `known_note` marks the
    matter as already known to the regulator (excluded). Locks the case row.
    """
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or (actor is not None and not _can_propose(actor, case)):
        if case is not None and Case.objects.visible_to(actor).filter(pk=case.pk).exists():
            raise PermissionDenied(NOT_ALLOWED)
        raise NotFound(CASE_NOT_FOUND)
    if not case_is_verified(case):
        raise Conflict(CASE_NOT_VERIFIED, {"status": case.status, "grade": case.grade})
    if RewardAssessment.objects.filter(case=case).exists():
        raise Conflict(ALREADY_ASSESSED)
    from hazardwatch.cases.selectors import first_valid_report

    report = first_valid_report(case)
    if report is None:
        raise Conflict(CASE_HAS_NO_REPORT)
    known_note = _text(known_note, "known_note")
    fine = _money(fine_yuan, "fine_yuan", FINE_INVALID)
    rule = R.rule_for_region(case.region_path)
    kind = RewardKind.MAJOR if case.grade == CaseGrade.MAJOR else RewardKind.GENERAL
    low, high = _bounds(kind, rule)
    assessment = RewardAssessment(
        case=case, report=report, kind=kind, rule_id=rule.pk, rule_name=rule.name[:200],
        rule_snapshot=rule.snapshot(), min_fen=low, max_fen=high, proposed_at=timezone.now(), proposed_by=actor,
    )
    if kind == RewardKind.MAJOR:
        assessment.clause = rule.major_clause
        if fine is not None:
            assessment.fine_fen = fine
            assessment.amount_fen = R.major_amount(rule, fine)
    else:
        tier = R.general_tier(rule, case.category)
        if tier is None:
            raise Conflict(NO_TIER.format(rule=rule.name))
        assessment.tier_code = tier["code"]
        assessment.clause = tier.get("clause", "")[:300]
        assessment.amount_fen = tier["amount_fen"]
    reasons = exclusions_for(case, report)
    if known_note:
        reasons.append(str(_("Already known to the department: {note}")).format(note=known_note))
    if reasons:
        assessment.status = AssessmentStatus.EXCLUDED
        assessment.exclusion_reason = "\n".join(reasons)
    assessment.save()
    _audit(actor, "propose", assessment, {"kind": kind, "amount_fen": assessment.amount_fen,
                                          "fine_fen": assessment.fine_fen, "rule": rule.name})
    return assessment


def propose_due(*, limit: int = 500) -> int:
    """Propose assessments for verified cases that have none (the periodic job; idempotent)."""
    ids = list(Case.objects.filter(status__in=list(VERIFIED_STATUSES), grade__in=CaseGrade.values,
                                   reward__isnull=True).order_by("pk").values_list("pk", flat=True)[:limit])
    made = 0
    for case_id in ids:
        try:
            assessment_propose(case_id=case_id, actor=None)
            made += 1
        except ApplicationError:
            continue
    return made


@transaction.atomic
def assessment_edit(*, assessment_id: int, actor, fine_yuan=None, amount_yuan=None, note=None) -> RewardAssessment:
    """Enter the fine and/or set the amount within the rule's bounds. The editor may not approve it later."""
    a = _get_for_update(assessment_id, actor)
    if not _can_propose(actor, a.case):
        raise PermissionDenied(NOT_ALLOWED)
    if a.status != AssessmentStatus.PROPOSED:
        raise Conflict(NOT_PROPOSED.format(status=a.get_status_display()))
    fine = _money(fine_yuan, "fine_yuan", FINE_INVALID)
    amount = _money(amount_yuan, "amount_yuan", AMOUNT_INVALID)
    rule = R.AppliedRule.from_snapshot(a.rule_snapshot)
    if fine is not None:
        if a.kind != RewardKind.MAJOR:
            raise _fields_error(_("A general hazard's reward does not depend on a fine."), "fine_yuan")
        a.fine_fen = fine
        a.amount_fen = R.major_amount(rule, fine)
    if amount is not None:
        _check_bounds(a, amount)
        a.amount_fen = amount
    if note is not None:
        a.note = _text(note, "note")
    a.edited_by = actor
    a.version += 1
    a.save()
    _audit(actor, "edit", a, {"amount_fen": a.amount_fen, "fine_fen": a.fine_fen})
    return a


# --- review ------------------------------------------------------------------------------------------------

def _require_reviewer(actor, a: RewardAssessment):
    if not is_reviewer_for(actor, a.case):
        raise PermissionDenied(ONLY_REVIEWER)


@transaction.atomic
def assessment_approve(*, assessment_id: int, actor, note: str = "", notify: bool = True) -> RewardAssessment:
    """Approve: the reviewer must not be the proposer or editor; the amount must be set and within bounds.

    Starts the claim window (HAZARDWATCH_REWARD_CLAIM_DAYS) and tells the reporter if they left a contact.
    """
    a = _get_for_update(assessment_id, actor)
    _require_reviewer(actor, a)
    if a.status != AssessmentStatus.PROPOSED:
        raise Conflict(NOT_PROPOSED.format(status=a.get_status_display()))
    if actor.pk in a.proposers:
        raise PermissionDenied(OWN_ASSESSMENT)
    if a.amount_fen is None:
        raise _fields_error(FINE_REQUIRED, "fine_yuan")
    _check_bounds(a, a.amount_fen)
    now = timezone.now()
    a.status = AssessmentStatus.APPROVED
    a.decided_by = actor
    a.decided_at = now
    a.decision_reason = _text(note, "note")
    a.claim_deadline = now + dt.timedelta(days=settings.HAZARDWATCH_REWARD_CLAIM_DAYS)
    a.version += 1
    a.save()
    _audit(actor, "approve", a, {"amount_fen": a.amount_fen, "claim_deadline": a.claim_deadline})
    if notify:  # the demo passes False: fictional reporters are never messaged
        from hazardwatch.rewards import tasks as reward_tasks

        assessment_id = a.pk
        transaction.on_commit(lambda: reward_tasks.rewards_notify_reporter.enqueue(assessment_id, "approved"))
    return a


@transaction.atomic
def assessment_reject(*, assessment_id: int, actor, reason: str) -> RewardAssessment:
    a = _get_for_update(assessment_id, actor)
    _require_reviewer(actor, a)
    if a.status == AssessmentStatus.PAID:
        raise Conflict(ALREADY_PAID)
    if a.status not in (AssessmentStatus.PROPOSED, AssessmentStatus.APPROVED):
        raise Conflict(NOT_PROPOSED.format(status=a.get_status_display()))
    if RewardClaim.objects.filter(assessment=a).exists():  # the reporter relied on the approval
        raise Conflict(CLAIMED_CANNOT_REJECT)
    a.decision_reason = _text(reason, "reason", required=REASON_REQUIRED)
    a.status = AssessmentStatus.REJECTED
    a.decided_by = actor
    a.decided_at = timezone.now()
    a.version += 1
    a.save()
    _audit(actor, "reject", a, {"reason": a.decision_reason})
    return a


# --- claims by receipt -------------------------------------------------------------------------------------

def _assessment_for_report(report) -> RewardAssessment:
    found = RewardAssessment.objects.select_related("case").filter(report=report).first()
    if found is not None:
        return found
    if report.case_id:
        case, seen = report.case, set()
        while case.merged_into_id and case.pk not in seen:  # follow merges to the case that survives
            seen.add(case.pk)
            case = case.merged_into
        if RewardAssessment.objects.filter(case=case).exists():
            raise Conflict(NOT_FIRST_REPORTER)
    raise NotFound(NO_REWARD)


def reward_for_receipt(code: str) -> dict | None:
    """What the reporter may see about their reward (no reviewer names, no other reporters)."""
    from hazardwatch.reports.services import report_by_receipt

    report = report_by_receipt(code)
    a = RewardAssessment.objects.filter(report=report).first()
    if a is None or a.status == AssessmentStatus.EXCLUDED:
        return None
    claim = RewardClaim.objects.filter(assessment=a).first()
    expired = a.status == AssessmentStatus.EXPIRED or (
        a.status == AssessmentStatus.APPROVED and claim is None and a.claim_deadline
        and a.claim_deadline < timezone.now())
    return {
        "reference": a.case.reference, "status": AssessmentStatus.EXPIRED if expired else a.status,
        "status_label": str(AssessmentStatus(AssessmentStatus.EXPIRED if expired else a.status).label),
        "amount_yuan": R.fen_to_yuan(claim.payable_fen if claim and claim.payable_fen is not None else a.amount_fen)
        if a.status in (AssessmentStatus.APPROVED, AssessmentStatus.PAID) else None,
        "claim_deadline": a.claim_deadline, "claimed": claim is not None,
        "can_claim": claim is None and a.status in CLAIMABLE and not expired,
        "reason": a.decision_reason if a.status == AssessmentStatus.REJECTED else "",
    }


def _period_bounds(period: str, when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(when)
    if period == "month":
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + dt.timedelta(days=32)).replace(day=1)
    else:
        start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1)
    return start, end


def _cap_usage(id_hash: str, period: str, when: dt.datetime, exclude_assessment: int) -> tuple[int, int]:
    """Rewards already counted for this person in the period: paid ledger entries, plus claims not yet paid."""
    start, end = _period_bounds(period, when)
    paid = LedgerEntry.objects.filter(id_hash=id_hash, paid_at__gte=start, paid_at__lt=end) \
        .exclude(assessment_id=exclude_assessment)
    pending = RewardClaim.objects.filter(
        id_hash=id_hash, created_at__gte=start, created_at__lt=end,
        assessment__status__in=[AssessmentStatus.PROPOSED, AssessmentStatus.APPROVED],
    ).exclude(assessment_id=exclude_assessment)
    used = (paid.aggregate(s=Sum("amount_fen"))["s"] or 0) + (pending.aggregate(s=Sum("payable_fen"))["s"] or 0)
    return used, paid.count() + pending.count()


def _payable(a: RewardAssessment, id_hash: str, when: dt.datetime) -> int | None:
    rule = R.AppliedRule.from_snapshot(a.rule_snapshot)
    used, count = _cap_usage(id_hash, rule.cap_period, when, a.pk)
    remaining, count_ok = R.cap_remaining(rule, used_fen=used, used_count=count)
    if not count_ok or remaining == 0:
        raise Conflict(CAP_REACHED.format(rule=rule.name), {"used_fen": used, "count": count})
    if a.amount_fen is None:
        return None
    return a.amount_fen if remaining is None else min(a.amount_fen, remaining)


def claim_clean(data: dict) -> dict:
    """Validate the claimant's details; one ApplicationError lists every problem in extra.fields."""
    from hazardwatch.reports.services import phone_normalize

    errors: dict[str, list[str]] = {}

    def err(name, message):
        errors.setdefault(name, []).append(str(message))

    def text(key, limit=100):
        value = data.get(key)
        return value.strip()[:limit] if isinstance(value, str) else ""

    name = text("name", 51)
    if not name or len(name) > 50:
        err("name", NAME_REQUIRED)
    id_number = idn.id_normalize(text("id_number", 30))
    if id_number is None:
        err("id_number", ID_INVALID)
    phone = phone_normalize(text("phone", 30))
    if phone is None or not phone.startswith("1"):
        err("phone", PHONE_INVALID)
    method = text("payment_method", 10)
    if method not in PaymentMethod.values:
        err("payment_method", METHOD_INVALID)
        account = None
    else:
        account = idn.account_normalize(method, text("account", 80))
        if account is None:
            err("account", ACCOUNT_INVALID)
    bank_name = text("bank_name", 80)
    if method == PaymentMethod.BANK and not bank_name:
        err("bank_name", BANK_NAME_REQUIRED)
    if data.get("declaration") not in (True, "true", "on", "1", 1):
        err("declaration", DECLARATION_REQUIRED)
    if errors:
        raise ApplicationError(CLAIM_INVALID, {"fields": errors})
    return {"name": name, "id_number": id_number, "phone": phone, "payment_method": method, "account": account,
            "bank_name": bank_name if method == PaymentMethod.BANK else ""}


def claim_submit(*, receipt_code: str | None = None, data: dict, user=None, report=None) -> RewardClaim:
    """A reporter claims with their receipt code. Identity is asked only now, stored encrypted.

    Refused: unknown receipt (404), no reward or not the first reporter, already claimed (409), window
    passed (410), a signed-in regulator whose jurisdiction covers the case (403), per-person cap (409).
    """
    from hazardwatch.reports.services import report_by_receipt

    if report is None:  # `report` is given only by trusted callers (staff-assisted claims, the demo)
        report = report_by_receipt(receipt_code or "")
    with transaction.atomic():
        a = _assessment_for_report(report)
        a = RewardAssessment.objects.select_for_update().select_related("case").get(pk=a.pk)
        if RewardClaim.objects.filter(assessment=a).exists():
            raise Conflict(ALREADY_CLAIMED)
        now = timezone.now()
        if a.status == AssessmentStatus.EXPIRED or (
                a.status == AssessmentStatus.APPROVED and a.claim_deadline and a.claim_deadline < now):
            deadline = timezone.localtime(a.claim_deadline).date().isoformat() if a.claim_deadline else ""
            raise ApplicationError(CLAIM_EXPIRED.format(date=deadline), status_code=410)
        if a.status not in CLAIMABLE:
            raise Conflict(CLAIM_CLOSED.format(status=a.get_status_display()))
        if user is not None and getattr(user, "is_authenticated", False):
            j = jurisdiction_for_user(user)
            if j.covers(a.case.region_path, a.case.sector) or is_reviewer_for(user, a.case):
                raise PermissionDenied(STAFF_CANNOT_CLAIM)
        clean = claim_clean(data)
        digest = idn.id_hash(clean["id_number"])
        payable = _payable(a, digest, now)
        claim = RewardClaim.objects.create(
            assessment=a, id_hash=digest, payment_method=clean["payment_method"], payable_fen=payable,
            ciphertext=hw_secrets.encrypt_text(json.dumps(clean, ensure_ascii=False)), created_at=now,
        )
        _audit("reporter", "claim", a, {"payment_method": clean["payment_method"], "payable_fen": payable})
    return claim


def claim_reveal(*, assessment_id: int, actor, purpose: str = "payment") -> dict:
    """Decrypt the claimant's details for the reward reviewer of the region; every call is audited."""
    a = RewardAssessment.objects.select_related("case").filter(pk=assessment_id).first()
    if a is None or not assessments_visible_to(actor).filter(pk=a.pk).exists():
        raise NotFound(ASSESSMENT_NOT_FOUND)
    _require_reviewer(actor, a)
    claim = RewardClaim.objects.filter(assessment=a).first()
    purpose = _text(purpose, "purpose")[:200] or "payment"
    audit_append(actor=actor, action="reward.claim.read", obj_type="reward_assessment", obj_id=a.pk,
                 payload={"purpose": purpose, "present": claim is not None})
    if claim is None:
        raise NotFound(NO_CLAIM)
    data = json.loads(hw_secrets.decrypt_text(claim.ciphertext))
    data["payable_yuan"] = R.fen_to_yuan(claim.payable_fen)
    data["claimed_at"] = claim.created_at
    return data


# --- payment and the ledger --------------------------------------------------------------------------------

def assessment_pay(*, assessment_id: int, actor, payment_reference: str) -> LedgerEntry:
    """Record the payment of an approved, claimed reward: one ledger entry, audited, never changed.

    A second payment is refused (409) by the status check and, under a race, by the unique constraint.
    """
    reference = _text(payment_reference, "payment_reference", required=PAYMENT_REFERENCE_REQUIRED)[:100]
    try:
        with transaction.atomic():
            a = _get_for_update(assessment_id, actor)
            _require_reviewer(actor, a)
            if a.status == AssessmentStatus.PAID or LedgerEntry.objects.filter(assessment_id=a.pk).exists():
                raise Conflict(ALREADY_PAID)
            if a.status != AssessmentStatus.APPROVED:
                raise Conflict(NOT_APPROVED.format(status=a.get_status_display()))
            claim = RewardClaim.objects.filter(assessment=a).first()
            if claim is None:
                raise Conflict(NO_CLAIM)
            now = timezone.now()
            amount = _payable(a, claim.id_hash, now)  # caps re-checked against the ledger at payment
            a.status = AssessmentStatus.PAID
            a.version += 1
            a.save()
            entry_audit = _audit(actor, "pay", a, {"amount_fen": amount, "payment_reference": reference})
            entry = LedgerEntry(
                assessment_id=a.pk, case_reference=a.case.reference, region_path=a.case.region_path,
                amount_fen=amount, payment_method=claim.payment_method, payment_reference=reference,
                id_hash=claim.id_hash, paid_at=now, paid_by_id=actor.pk, paid_by_label=actor.get_username(),
                audit_entry_id=entry_audit.pk,
            )
            entry.save()
    except IntegrityError:
        raise Conflict(ALREADY_PAID) from None
    return entry


# --- claim window: expiry and reminders ---------------------------------------------------------------------

def reminder_days() -> list[int]:
    return sorted({int(d) for d in settings.HAZARDWATCH_REWARD_REMINDER_DAYS if int(d) > 0}, reverse=True)


def assessments_expire(now: dt.datetime | None = None) -> int:
    """Approved rewards not claimed by the deadline become expired (waived)."""
    now = now or timezone.now()
    done = 0
    for a in RewardAssessment.objects.filter(status=AssessmentStatus.APPROVED, claim_deadline__lt=now,
                                             claim__isnull=True):
        with transaction.atomic():
            locked = RewardAssessment.objects.select_for_update().select_related("case").get(pk=a.pk)
            if locked.status != AssessmentStatus.APPROVED or RewardClaim.objects.filter(assessment=locked).exists():
                continue
            locked.status = AssessmentStatus.EXPIRED
            locked.version += 1
            locked.save()
            _audit(None, "expire", locked, {"claim_deadline": locked.claim_deadline})
            done += 1
    return done


def reminders_send(now: dt.datetime | None = None) -> int:
    """Remind reporters with a contact of an unclaimed approved reward N days before the deadline (once each)."""
    from hazardwatch.rewards import messaging

    now = now or timezone.now()
    sent = 0
    days = reminder_days()
    if not days:
        return 0
    horizon = now + dt.timedelta(days=max(days))
    candidates = RewardAssessment.objects.filter(
        status=AssessmentStatus.APPROVED, claim__isnull=True, claim_deadline__gt=now,
        claim_deadline__lte=horizon, report__identity__isnull=False).select_related("case", "report")
    for a in candidates:
        left = a.claim_deadline - now
        due = [d for d in days if left <= dt.timedelta(days=d)]
        if not due:
            continue
        d = min(due)  # the nearest threshold passed; earlier ones are not sent late
        try:
            with transaction.atomic():
                reminder = RewardReminder.objects.create(assessment=a, days_before=d, sent_at=now)
                for skipped in (x for x in due if x != d):
                    RewardReminder.objects.get_or_create(assessment=a, days_before=skipped,
                                                         defaults={"sent_at": now, "channels": "skipped"})
        except IntegrityError:
            continue
        channels = messaging.notify_reporter(a, "reminder")
        RewardReminder.objects.filter(pk=reminder.pk).update(channels=",".join(channels))
        sent += 1 if channels else 0
    return sent


def notify_reporter(assessment_id: int, kind: str) -> int:
    """Tell the reporter (if they left a contact) that their reward was approved; returns channels used."""
    from hazardwatch.rewards import messaging

    a = RewardAssessment.objects.select_related("case", "report").filter(pk=assessment_id).first()
    if a is None or a.status != AssessmentStatus.APPROVED:
        return 0
    return len(messaging.notify_reporter(a, kind))


def money(fen) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100
