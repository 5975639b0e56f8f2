"""Shared reads: the filtered drill list, a drill's timeline, and the campaign figures per unit."""
import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from hazardwatch.drills.choices import DrillKind, DrillStatus
from hazardwatch.drills.models import Drill, DrillIssue

FILTER_KEYS = ("kind", "status", "date_from", "date_to", "org", "q")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def parse_filters(raw) -> tuple[dict, dict]:
    """Clean list filters from a query string; returns (filters, errors by field)."""
    filters, errors = {}, {}
    kind = (raw.get("kind") or "").strip()
    if kind:
        if kind in DrillKind.values:
            filters["kind"] = kind
        else:
            errors["kind"] = [str(_("Unknown kind of drill."))]
    status = (raw.get("status") or "").strip()
    if status:
        if status in DrillStatus.values:
            filters["status"] = status
        else:
            errors["status"] = [str(_("Unknown status."))]
    for key in ("date_from", "date_to"):
        value = (raw.get(key) or "").strip()
        if value:
            try:
                day = parse_date(value)
            except ValueError:
                day = None
            if day is None:
                errors[key] = [str(_("Enter a date like 2026-06-12."))]
            else:
                filters[key] = day
    org = (raw.get("org") or "").strip()
    if org:
        if org.isdigit():
            filters["org"] = int(org)
        else:
            errors["org"] = [str(_("Choose a unit from the list."))]
    q = (raw.get("q") or "").strip()[:100]
    if q:
        filters["q"] = q
    return filters, errors


def drill_list_for_user(user, filters: dict | None = None):
    """Drills the user may see, filtered; the date range applies to the scheduled date."""
    filters = filters or {}
    qs = (Drill.objects.visible_to(user).select_related("organization")
          .annotate(issue_count=Count("issues", distinct=True)))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("date_from"):
        qs = qs.filter(scheduled_at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(scheduled_at__lt=_day_start(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("org"):
        qs = qs.filter(organization_id=filters["org"])
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(title__icontains=q) | Q(scenario__icontains=q) | Q(place__icontains=q))
    return qs.order_by("-scheduled_at", "-pk")


def drill_issues(drill):
    """Issues with their report and case (the case a merged report ended in is followed)."""
    from hazardwatch.cases.selectors import case_survivor

    rows = []
    for issue in drill.issues.select_related("report__case").order_by("created_at", "pk"):
        case = issue.report.case
        if case is not None:
            case = case_survivor(case)
        rows.append({"issue": issue, "case": case})
    return rows


def drill_timeline(drill) -> list[dict]:
    """Plan, state changes, observations and issues in time order (from the drill's audit entries and rows)."""
    from hazardwatch.core.models import AuditEntry

    labels = {
        "drill.plan": _("Planned"), "drill.update": _("Plan changed"), "drill.start": _("Started"),
        "drill.record": _("Recorded"), "drill.cancel": _("Cancelled"),
    }
    items = []
    for entry in AuditEntry.objects.filter(object_type="drill", object_id=str(drill.pk)).order_by("id"):
        if entry.action in labels:
            note = entry.payload.get("reason", "") if entry.action == "drill.cancel" else ""
            items.append({"at": entry.created_at, "kind": entry.action.split(".")[1], "label": labels[entry.action],
                          "text": note, "by": entry.actor_label})
    for obs in drill.observations.select_related("author").prefetch_related("photos"):
        items.append({"at": obs.at, "kind": "observation", "label": _("Observation"), "text": obs.text,
                      "by": obs.author.get_username() if obs.author else "", "photos": list(obs.photos.all())})
    for row in drill_issues(drill):
        issue, case = row["issue"], row["case"]
        items.append({"at": issue.created_at, "kind": "issue", "label": _("Issue reported as a hazard"),
                      "text": issue.description, "case": case,
                      "by": issue.created_by.get_username() if issue.created_by else ""})
    items.sort(key=lambda i: i["at"])
    return items


def unit_drill_figures(org_ids: list[int], start: dt.date, end: dt.date) -> dict:
    """Campaign summary figures for these units over [start, end] (dates inclusive, local time).

    drills: recorded drills whose actual start falls in the period; participants: their actual participants;
    issues_found: issues reported from those drills (each one became a hazard report).
    """
    org_ids = [int(o) for o in org_ids or []]
    if not org_ids:
        return {"drills": 0, "participants": 0, "issues_found": 0}
    qs = Drill.objects.filter(organization_id__in=org_ids, status=DrillStatus.RECORDED,
                              started_at__gte=_day_start(start),
                              started_at__lt=_day_start(end + dt.timedelta(days=1)))
    agg = qs.aggregate(n=Count("pk"), people=Sum("participants"))
    issues = DrillIssue.objects.filter(drill__in=qs.values("pk")).count()
    return {"drills": int(agg["n"] or 0), "participants": int(agg["people"] or 0), "issues_found": int(issues)}
