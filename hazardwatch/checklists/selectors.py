"""Reads for checklists: templates, runs, inspections for staff and units, and the campaign figures."""
import datetime as dt

from django.db.models import F, Q

from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.checklists.models import (
    ChecklistAnswer,
    ChecklistRun,
    ChecklistTemplate,
    Inspection,
    InspectionStatus,
    RunStatus,
)

INSPECTION_STATES = ("due", "missed", "late", "done", "all")


def templates_current(audience: str | None = None):
    qs = ChecklistTemplate.objects.filter(is_current=True).prefetch_related("items")
    if audience:
        qs = qs.filter(audience=audience)
    return qs.order_by("audience", "code")


def runs_for_user(user, limit: int = 20):
    if user is None or not user.is_authenticated:
        return ChecklistRun.objects.none()
    return ChecklistRun.objects.filter(user=user).select_related("template", "unit", "inspection")[:limit]


def runs_by_tokens(tokens: list[str]):
    return (ChecklistRun.objects.filter(token__in=tokens[:20], user__isnull=True)
            .select_related("template").order_by("-started_at"))


def inspections_for_staff(user, state: str = "all"):
    """Inspections of units in the user's jurisdiction: due, missed (not done by the due date), late (done after)."""
    j = jurisdiction_for_user(user)
    qs = Inspection.objects.select_related("unit", "regulator", "template", "run")
    if not j.is_admin:
        if not j.areas:
            return qs.none()
        cond = Q()
        for path, _sectors in j.areas:
            cond |= Q(unit__region__path__startswith=path)
        qs = qs.filter(cond)
    if state == "due":
        qs = qs.filter(status=InspectionStatus.DUE)
    elif state == "missed":
        qs = qs.filter(status=InspectionStatus.MISSED)
    elif state == "late":
        qs = qs.filter(status=InspectionStatus.DONE, is_late=True)
    elif state == "done":
        qs = qs.filter(status=InspectionStatus.DONE)
    return qs.order_by("due_date", "pk")


def inspections_for_unit(user):
    """What a unit sees: announced inspections, and unannounced ones only once they have happened."""
    j = jurisdiction_for_user(user)
    if not j.unit_org_ids:
        return Inspection.objects.none()
    return (Inspection.objects.filter(unit_id__in=j.unit_org_ids)
            .filter(Q(announced=True) | Q(status=InspectionStatus.DONE))
            .select_related("unit", "regulator", "template").order_by("due_date", "pk"))


def unit_checklist_figures(org_ids: list[int], start: dt.date, end: dt.date) -> dict:
    """Completed runs credited to these units with completion date in [start, end], their failed items and
    the failed items reported as hazards."""
    runs = ChecklistRun.objects.filter(unit_id__in=list(org_ids), status=RunStatus.COMPLETED,
                                       completed_at__date__gte=start, completed_at__date__lte=end)
    answers = ChecklistAnswer.objects.filter(run__in=runs, answer=F("item__hazard_answer"))
    return {
        "runs": runs.count(),
        "failed_items": answers.count(),
        "hazards_reported": answers.filter(report__isnull=False).count(),
    }
