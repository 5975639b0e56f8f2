"""Shared reads of the risk list: filtered lists, the four-colour map layers, open major hazards."""
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from hazardwatch.risk.choices import LEVEL_COLOUR, LEVEL_RANK, RiskLevel
from hazardwatch.risk.models import RiskPoint

FILTER_KEYS = ("level", "method", "accident_type", "control_level", "overdue", "q")


def _truthy(v) -> bool:
    return v in (True, "1", "true", "on", "yes")


def risk_point_list_for_user(user, filters: dict | None = None, *, org_id: int | None = None,
                             region_path: str | None = None):
    """Risk points visible to the user, with `has_open_major`, filtered; most serious first.

    `level` filters on the effective level (a point with an open major hazard counts as major).
    """
    filters = filters or {}
    qs = (RiskPoint.objects.visible_to(user).with_effective_level()
          .select_related("organization", "region"))
    if org_id is not None:
        qs = qs.filter(organization_id=org_id)
    if region_path is not None:
        qs = qs.filter(region_path__startswith=region_path)
    level = filters.get("level")
    if level == RiskLevel.MAJOR:
        qs = qs.filter(Q(level=level) | Q(has_open_major=True))
    elif level in RiskLevel.values:
        qs = qs.filter(level=level, has_open_major=False)
    if filters.get("method"):
        qs = qs.filter(method=filters["method"])
    if filters.get("control_level"):
        qs = qs.filter(control_level=filters["control_level"])
    if filters.get("accident_type"):
        # JSON list membership, portable across SQLite and PostgreSQL: match the quoted code in the text.
        qs = qs.filter(accident_types__icontains=f'"{filters["accident_type"]}"')
    if _truthy(filters.get("overdue")):
        qs = qs.filter(review_date__lt=timezone.localdate())
    if filters.get("q"):
        q = str(filters["q"])[:100]
        qs = qs.filter(Q(name__icontains=q) | Q(area__icontains=q) | Q(activity__icontains=q))
    return qs.order_by("-has_open_major", "-value", "organization_id", "name", "pk")


def _sort_key(point) -> tuple:
    return (-LEVEL_RANK[point.effective_level], point.name)


def level_counts(points) -> dict:
    counts = {lvl.value: 0 for lvl in RiskLevel}
    for p in points:
        counts[p.effective_level] += 1
    return counts


def _point_props(p) -> dict:
    return {
        "id": p.pk, "name": p.name, "area": p.area, "activity": p.activity, "method": p.method,
        "value": float(p.value), "level": p.effective_level, "score_level": p.level,
        "colour": LEVEL_COLOUR[RiskLevel(p.effective_level)], "forced_red": bool(getattr(p, "has_open_major", False)),
        "control_level": p.control_level,
    }


def risk_zones_geojson(user, *, org_id: int) -> dict:
    """Enterprise scale: one Polygon feature per zone (points sharing area name and polygon), filled by the
    zone's highest effective level, and a Point feature for each risk point without a zone. Features are
    ordered low → high so the most serious zones are drawn on top."""
    points = list(risk_point_list_for_user(user, org_id=org_id))
    zones: dict[tuple, list] = defaultdict(list)
    features = []
    for p in points:
        if p.zone:
            zones[(p.area, repr(p.zone["coordinates"]))].append(p)
        elif p.lat is not None:
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                             "properties": {"kind": "point", **_point_props(p)}})
    for (area, _key), members in zones.items():
        members.sort(key=_sort_key)
        top = members[0]
        features.append({
            "type": "Feature", "geometry": top.zone,
            "properties": {"kind": "zone", "area": area or top.name, "level": top.effective_level,
                           "colour": LEVEL_COLOUR[RiskLevel(top.effective_level)],
                           "points": [_point_props(m) for m in members]},
        })
    features.sort(key=lambda f: LEVEL_RANK[f["properties"]["level"]])
    return {"type": "FeatureCollection", "features": features,
            "properties": {"scale": "enterprise", "organization": org_id, "counts": level_counts(points)}}


def risk_enterprises_geojson(user, *, region_path: str) -> dict:
    """Regional scale: each organization with risk points as a Point coloured by its highest level, and
    region-owned points (public places) as their own Point features."""
    points = list(risk_point_list_for_user(user, region_path=region_path))
    by_org: dict[int, list] = defaultdict(list)
    features = []
    for p in points:
        if p.organization_id:
            by_org[p.organization_id].append(p)
        elif p.lat is not None:
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                             "properties": {"kind": "point", **_point_props(p)}})
    for members in by_org.values():
        org = members[0].organization
        members.sort(key=_sort_key)
        lat, lon = org.lat, org.lon
        if lat is None:
            located = [m for m in members if m.lat is not None]
            if not located:
                continue
            lat, lon = located[0].lat, located[0].lon
        top = members[0].effective_level
        features.append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": "organization", "id": org.pk, "name": org.display_name, "level": top,
                           "colour": LEVEL_COLOUR[RiskLevel(top)], "counts": level_counts(members),
                           "points": len(members)},
        })
    features.sort(key=lambda f: LEVEL_RANK[f["properties"]["level"]])
    return {"type": "FeatureCollection", "features": features,
            "properties": {"scale": "region", "region_path": region_path, "counts": level_counts(points)}}


def open_major_hazards_geojson(user, *, org_id: int | None = None, region_path: str | None = None,
                               limit: int = 2000) -> dict:
    """Open confirmed major hazards (grade major, not closed/rejected/merged) visible to the user, as Points."""
    from hazardwatch.cases.choices import CaseGrade
    from hazardwatch.cases.models import Case

    qs = Case.objects.visible_to(user).open().filter(grade=CaseGrade.MAJOR, lat__isnull=False)
    if org_id is not None:
        qs = qs.filter(Q(responsible_unit_id=org_id) | Q(risk_point_links__risk_point__organization_id=org_id))
    if region_path is not None:
        qs = qs.filter(region_path__startswith=region_path)
    rows = qs.distinct().order_by("-created_at")[:limit]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
         "properties": {"kind": "major_hazard", "id": c.pk, "reference": c.reference, "title": c.title,
                        "status": c.status, "is_overdue": c.is_overdue, "url": f"/staff/cases/{c.pk}/"}}
        for c in rows
    ]}
