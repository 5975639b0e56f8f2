"""Shared reads of cases: queues with filters, timelines, public status."""
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.cases.choices import CaseStatus
from hazardwatch.cases.models import Case, CaseEvent

FILTER_KEYS = ("status", "grade", "sector", "region", "overdue", "q")


def case_list_for_user(user, filters: dict | None = None):
    """The queue: cases visible to the user, filtered; newest first."""
    filters = filters or {}
    qs = Case.objects.visible_to(user).select_related("region", "regulator", "responsible_unit")
    status = filters.get("status")
    if status == "open":
        qs = qs.open()
    elif status in CaseStatus.values:
        qs = qs.filter(status=status)
    if filters.get("grade") in ("general", "major"):
        qs = qs.filter(grade=filters["grade"])
    if filters.get("grade") == "ungraded":
        qs = qs.filter(grade="")
    if filters.get("sector"):
        qs = qs.filter(sector=filters["sector"])
    if filters.get("region"):
        from hazardwatch.places.models import Division

        division = Division.objects.filter(code=filters["region"]).first()
        qs = qs.filter(region_path__startswith=division.path) if division else qs.none()
    if filters.get("overdue") in ("1", "true", True):
        qs = qs.filter(is_overdue=True)
    if filters.get("q"):
        q = str(filters["q"])[:100]
        qs = qs.filter(description__icontains=q) | qs.filter(reference__icontains=q)
    return qs.order_by("-is_overdue", F("deadline").asc(nulls_last=True), "-created_at")


def case_timeline(case: Case, *, public_only: bool = False):
    qs = CaseEvent.objects.filter(case=case).prefetch_related("photos").order_by("at", "id")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs


def case_survivor(case: Case) -> Case:
    """The case that handles this one now: follows `merged_into` to the end (a few links at most)."""
    seen = {case.pk}
    while case.status == CaseStatus.MERGED and case.merged_into_id and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = case.merged_into
    return case


RECEIVED = "received"
RECEIVED_LABEL = _("Received, being routed")


def report_public_status(report) -> dict:
    """case_public_status of the report's case, or, for a report received but not yet triaged (its case is
    opened by the worker moments later), the same shape with the status "received"."""
    if report.case is not None:
        return case_public_status(report.case)
    step = {"at": report.submitted_at, "action": "receive", "status": RECEIVED, "status_label": str(RECEIVED_LABEL)}
    return {"reference": "", "own_reference": "", "status": RECEIVED, "status_label": str(RECEIVED_LABEL),
            "reason": "", "merged_into": None, "current_status_of_merged": None, "closed_at": None,
            "can_dispute": False, "history": [step]}


def case_public_status(case: Case) -> dict:
    """What the reporter may see: status, public reason, public steps. No staff names, no unit names.

    A report whose case was merged follows the surviving case: its reference, status and public steps
    after the merge are shown (the reporter's own steps up to the merge come first).
    """
    shown = case_survivor(case)
    history = list(case_timeline(case, public_only=True))
    if shown is not case:
        merged_at = history[-1].at if history else case.created_at
        history += [e for e in case_timeline(shown, public_only=True) if e.at >= merged_at]
    return {
        "reference": shown.reference,
        "own_reference": case.reference,
        "status": shown.status,
        "status_label": str(CaseStatus(shown.status).label),
        "reason": shown.public_reason if shown.status == CaseStatus.REJECTED else "",
        "merged_into": shown.reference if shown is not case else None,
        "current_status_of_merged": shown.status if shown is not case else None,
        "closed_at": shown.closed_at,
        "can_dispute": shown.status == CaseStatus.CLOSED,
        "history": [
            {"at": e.at, "action": e.action, "status": e.to_status,
             "status_label": str(CaseStatus(e.to_status).label) if e.to_status else ""}
            for e in history
        ],
        "now": timezone.now(),
    }


def case_candidates(case: Case) -> list:
    """Criteria candidates found for the case's reports, best first, one row per item."""
    from hazardwatch.criteria.models import ReportCriterionMatch

    best: dict[int, ReportCriterionMatch] = {}
    for m in ReportCriterionMatch.objects.filter(report__case=case).select_related("criterion__standard"):
        if m.criterion_id not in best or m.score > best[m.criterion_id].score:
            best[m.criterion_id] = m
    return sorted(best.values(), key=lambda m: (-m.is_full, -m.score))


def merged_case_ids(case: Case) -> set[int]:
    """Ids of the cases merged into this one, directly or through a chain of merges."""
    found: set[int] = set()
    frontier = {case.pk}
    while frontier:
        nxt = set(Case.objects.filter(merged_into_id__in=frontier, status=CaseStatus.MERGED)
                  .values_list("pk", flat=True)) - found - {case.pk}
        found |= nxt
        frontier = nxt
    return found


def case_reports(case: Case):
    """Reports of a case, including those of cases merged into it (merged cases keep their reports)."""
    from hazardwatch.reports.models import Report

    return Report.objects.filter(case_id__in={case.pk, *merged_case_ids(case)})


def first_valid_report(case: Case):
    """The first valid report of a case (the earliest submitted, merged duplicates included), or None.

    This is the reporter recorded as the first valid one for rewards; later duplicates are not rewarded.
    """
    return case_reports(case).order_by("submitted_at", "pk").first()
