"""Reads about reports for abuse control: per-reporter and per-device counts and the review flag.

An identified reporter is counted by `Report.reporter_key` (a keyed hash of the phone or e-mail, never
the clear value); a device by its DeviceKey. A report is *untrue* when its case was rejected with the
reason code "untrue" (false or malicious). A reporter or device is flagged for review when it has at
least HAZARDWATCH_UNTRUE_FLAG_MIN_REPORTS reports and at least HAZARDWATCH_UNTRUE_FLAG_SHARE of them
are untrue.
"""
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q

from hazardwatch.reports.models import Report


def _untrue_q() -> Q:
    from hazardwatch.cases.choices import CaseStatus, RejectCode

    return Q(case__status=CaseStatus.REJECTED, case__reject_code=RejectCode.UNTRUE)


def is_flagged(total: int, untrue: int) -> bool:
    minimum = max(1, settings.HAZARDWATCH_UNTRUE_FLAG_MIN_REPORTS)
    return total >= minimum and untrue / total >= settings.HAZARDWATCH_UNTRUE_FLAG_SHARE


@dataclass
class SourceCounts:
    kind: str  # "reporter" or "device"
    key: str  # reporter_key prefix or device key prefix, for display
    label: str
    total: int
    untrue: int
    last_at: object = None

    @property
    def share(self) -> float:
        return self.untrue / self.total if self.total else 0.0

    @property
    def flagged(self) -> bool:
        return is_flagged(self.total, self.untrue)


def _counts(field: str, values) -> dict:
    rows = (Report.objects.filter(**{f"{field}__in": list(values)}).values(field)
            .annotate(total=Count("pk"), untrue=Count("pk", filter=_untrue_q()), last_at=Max("submitted_at")))
    return {r[field]: r for r in rows}


def report_source_counts(reports) -> dict[int, list[SourceCounts]]:
    """For each report: counts of its identified reporter and of its device (for the staff case page)."""
    reports = list(reports)
    keys = {r.reporter_key for r in reports if r.reporter_key}
    devices = {r.device_id for r in reports if r.device_id}
    by_key = _counts("reporter_key", keys) if keys else {}
    by_device = _counts("device", devices) if devices else {}
    out: dict[int, list[SourceCounts]] = {}
    for r in reports:
        rows = []
        if r.reporter_key in by_key:
            c = by_key[r.reporter_key]
            rows.append(SourceCounts("reporter", r.reporter_key[:10], "", c["total"], c["untrue"], c["last_at"]))
        if r.device_id in by_device:
            c = by_device[r.device_id]
            rows.append(SourceCounts("device", r.device.prefix if r.device else "", r.device.name if r.device else "",
                                     c["total"], c["untrue"], c["last_at"]))
        out[r.pk] = rows
    return out


def flagged_sources(user) -> list[SourceCounts]:
    """Reporters and devices above the untrue share, limited to those with a report in a case `user` sees."""
    from hazardwatch.cases.models import Case
    from hazardwatch.reports.models import DeviceKey

    minimum = max(1, settings.HAZARDWATCH_UNTRUE_FLAG_MIN_REPORTS)
    visible = Case.objects.visible_to(user).values("pk")
    out: list[SourceCounts] = []
    for field, kind in (("reporter_key", "reporter"), ("device", "device")):
        base = Report.objects.exclude(**{f"{field}__isnull": True})
        if field == "reporter_key":
            base = base.exclude(reporter_key="")
        rows = (base.values(field).annotate(total=Count("pk"), untrue=Count("pk", filter=_untrue_q()),
                                            last_at=Max("submitted_at"))
                .filter(total__gte=minimum, untrue__gt=0))
        rows = [r for r in rows if is_flagged(r["total"], r["untrue"])]
        if not rows:
            continue
        seen = set(Report.objects.filter(case__in=visible, **{f"{field}__in": [r[field] for r in rows]})
                   .values_list(field, flat=True).distinct())
        devices = {}
        if kind == "device":
            devices = {d.pk: d for d in DeviceKey.objects.filter(pk__in=[r[field] for r in rows])}
        for r in rows:
            if r[field] not in seen:
                continue
            if kind == "device":
                d = devices.get(r[field])
                out.append(SourceCounts(kind, d.prefix if d else "", d.name if d else "", r["total"], r["untrue"],
                                        r["last_at"]))
            else:
                out.append(SourceCounts(kind, r[field][:10], "", r["total"], r["untrue"], r["last_at"]))
    return sorted(out, key=lambda s: (-s.share, -s.total))
