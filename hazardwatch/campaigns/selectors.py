"""Reads for campaigns: platform figures per unit and period, the office overview and the region roll-up.

Platform figures come from other apps through the figures contract (imported lazily so this app works
while they are absent): ``checklists.selectors.unit_checklist_figures``, ``quizzes.selectors.unit_quiz_figures``
and ``drills.selectors.unit_drill_figures``, each ``(org_ids, start, end) -> dict``. A missing provider gives
``None`` (shown as "—", pre-filled as 0).
"""
import datetime as dt
import importlib
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone

from hazardwatch.campaigns.models import (
    FIGURE_KEYS, Activity, ActivityKind, Campaign, Deadline, Liaison, Summary,
)
from hazardwatch.campaigns.services import participating_units, today
from hazardwatch.places.models import Division

CONTRACT = {
    "checklists_run": ("hazardwatch.checklists.selectors", "unit_checklist_figures", "runs"),
    "quiz_takers": ("hazardwatch.quizzes.selectors", "unit_quiz_figures", "takers"),
    "drills": ("hazardwatch.drills.selectors", "unit_drill_figures", "drills"),
}
ROLLUP_FIGURES = ["hazards_found", "hazards_fixed", "checklists_run", "quiz_takers", "drills"]


def _provider(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def hazard_figures(org_ids: list[int], start: dt.date, end: dt.date) -> dict:
    """Cases whose responsible unit is one of the units, or that were reported about one of them.

    found = opened in [start, end]; fixed = closed in [start, end] (local dates, end inclusive).
    """
    from hazardwatch.cases.choices import CaseStatus
    from hazardwatch.cases.models import Case

    lo, hi = _bounds(start, end)
    ids = Case.objects.filter(Q(responsible_unit_id__in=org_ids) | Q(reports__reported_unit_id__in=org_ids)) \
        .values("pk").distinct()
    qs = Case.objects.filter(pk__in=ids)
    return {
        "hazards_found": qs.filter(created_at__gte=lo, created_at__lt=hi).count(),
        "hazards_fixed": qs.filter(status=CaseStatus.CLOSED, closed_at__gte=lo, closed_at__lt=hi).count(),
    }


def unit_platform_figures(campaign: Campaign, org_ids: list[int]) -> dict:
    """What the platform knows about these units over the campaign period (pre-fills the summary)."""
    start, end = campaign.starts_on, campaign.ends_on
    acts = Activity.objects.filter(campaign=campaign, unit_id__in=org_ids).aggregate(n=Count("pk"),
                                                                                     p=Sum("participants"))
    out = {"activities": acts["n"] or 0, "participants": acts["p"] or 0, **hazard_figures(org_ids, start, end)}
    for key, (module, name, field) in CONTRACT.items():
        fn = _provider(module, name)
        out[key] = None if fn is None else int(fn(list(org_ids), start, end).get(field, 0) or 0)
    return out


def unit_state(campaign: Campaign, unit_id: int) -> dict:
    liaison = Liaison.objects.filter(campaign=campaign, unit_id=unit_id).first()
    summary = Summary.objects.filter(campaign=campaign, unit_id=unit_id).select_related("current").first()
    versions = list(summary.versions.order_by("-number")) if summary else []
    activities = list(Activity.objects.filter(campaign=campaign, unit_id=unit_id).prefetch_related("photos"))
    return {"liaison": liaison, "summary": summary, "versions": versions, "activities": activities,
            "can_revise": summary is None or today() <= campaign.summary_due}


def deadline_state(due: dt.date, filed_late: bool | None) -> str:
    """submitted / late / missing (not filed and the deadline passed) / pending (not filed, not yet due)."""
    if filed_late is None:
        return "missing" if today() > due else "pending"
    return "late" if filed_late else "submitted"


def campaign_overview(campaign: Campaign) -> dict:
    units = list(participating_units(campaign))
    liaisons = {x.unit_id: x for x in Liaison.objects.filter(campaign=campaign)}
    summaries = {x.unit_id: x for x in Summary.objects.filter(campaign=campaign).select_related("current")}
    rows, counts = [], {d.value: defaultdict(int) for d in Deadline}
    for unit in units:
        liaison, summary = liaisons.get(unit.pk), summaries.get(unit.pk)
        states = {
            Deadline.LIAISON.value: deadline_state(campaign.liaison_due, None if liaison is None else liaison.is_late),
            Deadline.SUMMARY.value: deadline_state(campaign.summary_due, None if summary is None else summary.is_late),
        }
        for key, state in states.items():
            counts[key][state] += 1
        rows.append({"unit": unit, "liaison": liaison, "summary": summary, "states": states})
    deadlines = []
    for d in Deadline:
        c = counts[d.value]
        deadlines.append({"key": d.value, "label": d.label, "due": campaign.due(d.value), "units": len(units),
                          "submitted": c["submitted"], "late": c["late"], "missing": c["missing"],
                          "pending": c["pending"],
                          "missing_units": [r["unit"] for r in rows if r["states"][d.value] in ("missing", "pending")],
                          "late_units": [r["unit"] for r in rows if r["states"][d.value] == "late"]})
    return {"units": len(units), "rows": rows, "deadlines": deadlines}


def campaign_rollup(campaign: Campaign) -> list[dict]:
    """One row per region of the office's subtree that has participating units, sums over its whole subtree.

    units, submitted (summaries filed, late included), late; activities by kind and participants (from the
    recorded activities); hazards found and fixed, checklists, quiz takers and drills (as filed in each unit's
    current summary version — units that have not filed count 0).
    """
    root = campaign.office.region
    units = list(participating_units(campaign))
    per_unit = {u.pk: {"path": u.region.path, "submitted": 0, "late": 0, "participants": 0,
                       **{k: 0 for k in ActivityKind.values}, **{k: 0 for k in ROLLUP_FIGURES}} for u in units}
    for s in Summary.objects.filter(campaign=campaign, unit_id__in=per_unit).select_related("current"):
        row = per_unit[s.unit_id]
        row["submitted"] = 1
        row["late"] = int(s.is_late)
        figures = s.current.figures if s.current else {}
        for key in ROLLUP_FIGURES:
            row[key] = int(figures.get(key) or 0)
    for a in Activity.objects.filter(campaign=campaign, unit_id__in=per_unit).values("unit_id", "kind") \
            .annotate(n=Count("pk"), p=Sum("participants")):
        per_unit[a["unit_id"]][a["kind"]] += a["n"]
        per_unit[a["unit_id"]]["participants"] += a["p"] or 0
    codes = set()
    root_depth = len(root.path.strip("/").split("/"))
    for u in units:
        parts = u.region.path.strip("/").split("/")
        codes.update(parts[root_depth - 1:])
    divisions = sorted(Division.objects.filter(code__in=codes), key=lambda d: d.path)
    rows = []
    for d in divisions:
        inside = [r for r in per_unit.values() if r["path"].startswith(d.path)]
        row = {"code": d.code, "name": d.name, "name_zh": d.name_zh, "depth": d.path.count("/") - root_depth,
               "units": len(inside)}
        for key in ["submitted", "late", "participants", *ActivityKind.values, *ROLLUP_FIGURES]:
            row[key] = sum(r[key] for r in inside)
        row["activities"] = sum(row[k] for k in ActivityKind.values)
        rows.append(row)
    return rows


__all__ = ["FIGURE_KEYS", "campaign_overview", "campaign_rollup", "hazard_figures", "unit_platform_figures",
           "unit_state"]
