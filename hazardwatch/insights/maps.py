"""Map selectors: H3 cluster counts for a viewport, points at street zoom, GeoJSON export.

Counts come from GROUP BY on the indexed H3 columns of Case, restricted to the cells that cover the
viewport, or — for the unfiltered public and all-cases views, once built — from the MapCellCount
pre-aggregate (one row per cell), so a viewport costs the same at 1,000 and at 1,000,000 cases.
"""
import datetime as dt
import functools
import json
import math
from dataclasses import dataclass

import h3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase, Count, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.cases.choices import OPEN_STATUSES, CaseGrade, CaseStatus
from hazardwatch.core.choices import SECTOR_VALUES
from hazardwatch.core.errors import ApplicationError

# zoom (inclusive upper bound) → H3 resolution: hexagons stay ~20–90 px wide on screen.
ZOOM_RESOLUTIONS = ((6, 3), (9, 5), (12, 7), (19, 9))
RESOLUTIONS = (3, 5, 7, 9)
POINTS_ZOOM = 16  # staff see individual cases from this zoom on
POINT_LIMIT = 2000
MAX_CELLS = 5000  # cells covering one viewport; beyond this, step down a resolution (then refuse)
EXPORT_LIMIT = 100_000
# Never shown on the public map: not yet accepted, rejected, merged away.
HIDDEN_FROM_PUBLIC = frozenset({CaseStatus.NEW, CaseStatus.REJECTED, CaseStatus.MERGED})
PUBLIC_STATUSES = frozenset(set(CaseStatus) - HIDDEN_FROM_PUBLIC)
FILTER_KEYS = ("status", "sector", "grade", "from", "to", "overdue")
QUERY_KEYS = frozenset(("bbox", "zoom", "scope") + FILTER_KEYS)
# The split pre-aggregate (MapCellSplit): resolutions it holds, rollup members, region key length.
SPLIT_RESOLUTIONS = (3, 5, 7, 9)
DAY_RESOLUTIONS = (3, 5, 7, 9)  # MapCellDay: running totals by creation day
ALL = "*"
PUB = "pub"
OPEN = "open"
REGION_KEY_LEN = 21  # "410000/410100/410105/": a prefix this long or shorter is answered from region keys
BUCKETS = ("gen_ok", "gen_od", "maj_ok", "maj_od", "ung_ok", "ung_od")  # grade × overdue counters

BAD_BBOX = _("bbox must be four numbers: south,west,north,east (WGS-84 degrees, south < north, west < east).")
BAD_ZOOM = _("zoom must be a whole number from 0 to 19.")
BAD_FILTER = _("Unknown or invalid filter value.")
UNKNOWN_PARAMS = _("Unknown query parameters.")
BAD_DATE = _("Dates must look like 2025-06-30, and 'from' must not be after 'to'.")
TOO_MANY_CELLS = _("The area is too large for this zoom level. Zoom in or choose a smaller area.")
STATUS_NOT_PUBLIC = _("The public map shows accepted cases only.")
EXPORT_TOO_LARGE = _("The export would have {count} cases, more than {limit}. Narrow it with filters "
                     "(status, sector, grade, dates, overdue) or a smaller bbox.")


@dataclass(frozen=True)
class MapFilters:
    statuses: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    grade: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool | None = None

    @property
    def empty(self) -> bool:
        return not (self.statuses or self.sectors or self.grade or self.date_from or self.date_to
                    or self.overdue is not None)


@dataclass(frozen=True)
class MapQuery:
    bbox: tuple[float, float, float, float] | None  # south, west, north, east
    zoom: int
    scope: str  # "public" | "staff"
    filters: MapFilters


# --- parsing and validation -------------------------------------------------------------------------

def _bad(message, **extra):
    raise ApplicationError(message, extra=extra)


def parse_bbox(raw: str | None, *, required: bool = True):
    if not raw:
        if required:
            _bad(BAD_BBOX, field="bbox")
        return None
    parts = str(raw).split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        s, w, n, e = (float(p) for p in parts)
    except ValueError:
        _bad(BAD_BBOX, field="bbox", value=str(raw)[:100])
    if not all(math.isfinite(v) for v in (s, w, n, e)) or not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
        _bad(BAD_BBOX, field="bbox", value=str(raw)[:100])
    return s, w, n, e


def _parse_date(raw, field):
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        _bad(BAD_DATE, field=field, value=str(raw)[:40])


def _split(raw) -> tuple[str, ...]:
    return tuple(v for v in (p.strip() for p in str(raw).split(",")) if v)


def parse_filters(params, scope: str) -> MapFilters:
    statuses: tuple[str, ...] = ()
    raw = params.get("status") or ""
    if raw:
        wanted: list[str] = []
        for v in _split(raw):
            if v == "open":  # on the public map: open and accepted
                wanted.extend(sorted(OPEN_STATUSES & PUBLIC_STATUSES if scope == "public" else OPEN_STATUSES))
            elif v in CaseStatus.values:
                wanted.append(v)
            else:
                _bad(BAD_FILTER, field="status", value=v[:40], allowed=["open", *CaseStatus.values])
        statuses = tuple(dict.fromkeys(wanted))
        if scope == "public" and not set(statuses) <= PUBLIC_STATUSES:
            _bad(STATUS_NOT_PUBLIC, field="status", allowed=sorted(PUBLIC_STATUSES))
    sectors = _split(params.get("sector") or "")
    for v in sectors:
        if v not in SECTOR_VALUES:
            _bad(BAD_FILTER, field="sector", value=v[:40], allowed=sorted(SECTOR_VALUES))
    grade = params.get("grade") or ""
    if grade and grade not in (*CaseGrade.values, "ungraded"):
        _bad(BAD_FILTER, field="grade", value=grade[:40], allowed=[*CaseGrade.values, "ungraded"])
    date_from = _parse_date(params["from"], "from") if params.get("from") else None
    date_to = _parse_date(params["to"], "to") if params.get("to") else None
    if date_from and date_to and date_from > date_to:
        _bad(BAD_DATE, field="from")
    overdue_raw = (params.get("overdue") or "").lower()
    if overdue_raw in ("", "any"):
        overdue = None
    elif overdue_raw in ("1", "true", "yes", "on"):
        overdue = True
    elif overdue_raw in ("0", "false", "no", "off"):
        overdue = False
    else:
        _bad(BAD_FILTER, field="overdue", value=overdue_raw[:40], allowed=["1", "0"])
    return MapFilters(statuses, sectors, grade, date_from, date_to, overdue)


def parse_map_query(params, *, bbox_required: bool = True, default_scope: str = "public") -> MapQuery:
    """Validate query parameters (a QueryDict or dict); ApplicationError (400) on anything wrong."""
    unknown = sorted(set(params.keys()) - QUERY_KEYS)
    if unknown:
        _bad(UNKNOWN_PARAMS, unknown=unknown[:20], allowed=sorted(QUERY_KEYS))
    scope = params.get("scope") or default_scope
    if scope not in ("public", "staff"):
        _bad(BAD_FILTER, field="scope", value=str(scope)[:40], allowed=["public", "staff"])
    bbox = parse_bbox(params.get("bbox"), required=bbox_required)
    zoom_raw = params.get("zoom")
    if zoom_raw in (None, "") and not bbox_required:
        zoom = 0
    else:
        try:
            zoom = int(str(zoom_raw))
        except ValueError:
            _bad(BAD_ZOOM, field="zoom", value=str(zoom_raw)[:20])
        if not 0 <= zoom <= 19:
            _bad(BAD_ZOOM, field="zoom", value=zoom)
    return MapQuery(bbox=bbox, zoom=zoom, scope=scope, filters=parse_filters(params, scope))


# --- cells -------------------------------------------------------------------------------------------

def resolution_for_zoom(zoom: int) -> int:
    for upto, res in ZOOM_RESOLUTIONS:
        if zoom <= upto:
            return res
    return RESOLUTIONS[-1]


def _clip(bbox):
    """Clip to the service area (cases are only ever inside it); None when outside."""
    a_s, a_w, a_n, a_e = settings.HAZARDWATCH_AREA_BBOX
    s, w, n, e = max(bbox[0], a_s), max(bbox[1], a_w), min(bbox[2], a_n), min(bbox[3], a_e)
    return (s, w, n, e) if s < n and w < e else None


def _edge_deg(res: int) -> float:
    return h3.average_hexagon_edge_length(res, unit="km") / 111.0


def _estimated_cells(bbox, res: int) -> float:
    s, w, n, e = bbox
    km2 = (n - s) * 111.32 * (e - w) * 111.32 * max(0.1, math.cos(math.radians((s + n) / 2)))
    return km2 / h3.average_hexagon_area(res, unit="km^2")


def _expand(bbox, res):
    m = _edge_deg(res)
    s, w, n, e = bbox
    return max(-89.9, s - m), max(-179.9, w - m), min(89.9, n + m), min(179.9, e + m)


def cells_for_bbox(bbox, res: int) -> list[str]:
    s, w, n, e = _expand(bbox, res)
    poly = h3.LatLngPoly([(s, w), (s, e), (n, e), (n, w)])
    return list(h3.polygon_to_cells(poly, res))


def choose_resolution(bbox, zoom: int) -> int:
    res = resolution_for_zoom(zoom)
    while _estimated_cells(_expand(bbox, res), res) > MAX_CELLS:
        coarser = [r for r in RESOLUTIONS if r < res]
        if not coarser:
            _bad(TOO_MANY_CELLS, cells=int(_estimated_cells(bbox, res)), limit=MAX_CELLS)
        res = coarser[-1]
    return res


# --- querysets ----------------------------------------------------------------------------------------

def base_queryset(scope: str, user=None, using: str | None = None):
    from hazardwatch.cases.models import Case

    manager = Case.objects.db_manager(using) if using else Case.objects
    if scope == "public":
        return manager.exclude(status__in=list(HIDDEN_FROM_PUBLIC))
    return manager.get_queryset().visible_to(user)


def apply_filters(qs, f: MapFilters):
    if f.statuses:
        qs = qs.filter(status__in=list(f.statuses))
    if f.sectors:
        qs = qs.filter(sector__in=list(f.sectors))
    if f.grade:
        qs = qs.filter(grade="" if f.grade == "ungraded" else f.grade)
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(f.date_from, dt.time.min, tzinfo=tz))
    if f.date_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if f.overdue is not None:
        qs = qs.filter(is_overdue=f.overdue)
    return qs


def _aggregate_ready(using=None) -> bool:
    from hazardwatch.insights.models import MapAggregateState

    manager = MapAggregateState.objects.db_manager(using) if using else MapAggregateState.objects
    return manager.exists()


def _all_cases_user(user) -> bool:
    from hazardwatch.accounts.selectors import jurisdiction_for_user

    return jurisdiction_for_user(user).is_admin


def _counts_live(q: MapQuery, res: int, cells: list[str], user, using) -> dict[str, list[int]]:
    qs = apply_filters(base_queryset(q.scope, user, using), q.filters)
    agg = {"n": Count("pk"), "ov": Count("pk", filter=Q(is_overdue=True)),
           "mj": Count("pk", filter=Q(grade=CaseGrade.MAJOR))}
    out: dict[str, list[int]] = {}
    if res == 3:  # no r3 column: count r5 cells inside the (widened) box and roll them up
        s, w, n, e = _expand(_expand(q.bbox, 3), 3)
        wanted = set(cells)
        rows = (qs.filter(lat__gte=s, lat__lte=n, lon__gte=w, lon__lte=e).exclude(h3_r5="")
                .values("h3_r5").annotate(**agg).order_by())
        for row in rows:
            parent = h3.cell_to_parent(row["h3_r5"], 3)
            if parent in wanted:
                acc = out.setdefault(parent, [0, 0, 0])
                acc[0] += row["n"]
                acc[1] += row["ov"]
                acc[2] += row["mj"]
        return out
    col = f"h3_r{res}"
    rows = qs.filter(**{f"{col}__in": cells}).values(col).annotate(**agg).order_by()
    return {row[col]: [row["n"], row["ov"], row["mj"]] for row in rows}


def _counts_aggregate(scope: str, res: int, cells: list[str], using) -> list[tuple]:
    from hazardwatch.insights.models import MapCellCount

    manager = MapCellCount.objects.db_manager(using) if using else MapCellCount.objects
    rows = (manager.filter(resolution=res, scope=scope, cell__in=cells, count__gt=0)
            .values_list("cell", "count", "overdue", "major"))
    return list(rows.order_by("cell"))  # already in index order: no sort step


STATUS_MEMBERS = {ALL: frozenset(CaseStatus.values), PUB: PUBLIC_STATUSES, OPEN: frozenset(OPEN_STATUSES)}


def _status_terms(statuses, scope: str) -> dict[str, int]:
    """{status key: sign} whose signed sum is the cases of the wanted statuses, with the fewest rows per cell:
    the statuses themselves, or a rollup member minus the statuses it holds beyond the wanted ones
    ("open" on the public map = open − new; everything but closed = * − closed)."""
    wanted = frozenset(statuses) if statuses else STATUS_MEMBERS[PUB if scope == "public" else ALL]
    best = {s: 1 for s in wanted}
    for member, members in STATUS_MEMBERS.items():
        if wanted <= members and 1 + len(members - wanted) < len(best):
            best = {member: 1, **{s: -1 for s in members - wanted}}
    return best


def _split_where(q: MapQuery, user) -> Q | None:
    """The MapCellSplit rows (besides resolution and cells) that answer this query; None → count live.

    Status: the listed statuses, else the rollup "pub" (public) or "*" (staff), or a cheaper signed
    combination (`_status_terms`). Sector and region: for the public map and admins region "*" and the sector
    filter (or "*"); for a regulator one term per disjoint jurisdiction area (region key prefix × its sectors,
    narrowed by the sector filter). Units (visibility by organization),
    township-level jurisdictions and date ranges are not in the split: live.
    """
    f = q.filters
    if f.date_from or f.date_to:
        return None
    areas = _areas(q, user)
    if areas is None:
        return None
    area_q = Q(pk__in=[])
    for path, sectors in areas:
        part = Q(sector=ALL) if sectors is None else (
            Q(sector__in=sorted(sectors)) if len(sectors) > 1 else Q(sector=next(iter(sectors))))
        part &= Q(region=ALL) if not path else Q(region__startswith=path)
        area_q |= part
    return Q(status__in=sorted(_status_terms(f.statuses, q.scope))) & area_q


def _areas(q: MapQuery, user) -> list[tuple[str, frozenset | None]] | None:
    """The (region path, sectors or None = every sector) areas the pre-aggregates must sum for this viewer,
    narrowed by the sector filter: one area with path "" for the public map and admins, one per disjoint
    jurisdiction area for a regulator (areas left with no sector dropped). None → count live: unit staff
    (visibility by organization) and township-level jurisdictions are finer than the pre-aggregates."""
    wanted = frozenset(q.filters.sectors) if q.filters.sectors else None
    if q.scope == "public" or _all_cases_user(user):
        return [("", wanted)]
    from hazardwatch.accounts.selectors import jurisdiction_for_user
    from hazardwatch.insights.stats import user_areas

    if jurisdiction_for_user(user).unit_org_ids:
        return None
    areas = user_areas(user) or []
    if any(len(a.path) > REGION_KEY_LEN for a in areas):
        return None
    out = []
    for a in areas:
        sectors = a.sectors
        if sectors is None or set(SECTOR_VALUES) <= sectors:
            sectors = wanted
        elif wanted is not None:
            sectors = sectors & wanted
        if sectors is None or sectors:
            out.append((a.path, sectors))
    return out


def _wanted_buckets(f: MapFilters) -> tuple[list[str], list[str], list[str]]:
    """The grade × overdue counter columns summed for (cases, overdue, major) under the grade/overdue filters."""
    grades = {"general": ("gen",), "major": ("maj",), "ungraded": ("ung",)}.get(f.grade, ("gen", "maj", "ung"))
    flags = {None: ("ok", "od"), True: ("od",), False: ("ok",)}[f.overdue]
    pick = [f"{g}_{o}" for g in grades for o in flags]
    return pick, [b for b in pick if b.endswith("_od")], [b for b in pick if b.startswith("maj")]


def _counts_split(where: Q, f: MapFilters, scope: str, res: int, cells: list[str], using) -> list[tuple]:
    from hazardwatch.insights.models import MapCellSplit

    negative = [k for k, sign in _status_terms(f.statuses, scope).items() if sign < 0]

    def total(cols):
        cols = list(cols)
        if not cols:
            return Value(0)
        expr = F(cols[0])
        for c in cols[1:]:
            expr = expr + F(c)
        if negative:  # a rollup member minus the statuses it holds beyond the wanted ones
            expr = SqlCase(When(status__in=negative, then=-expr), default=expr)
        return Sum(expr)

    n, ov, mj = (total(cols) for cols in _wanted_buckets(f))
    manager = MapCellSplit.objects.db_manager(using) if using else MapCellSplit.objects
    rows = (manager.filter(where, resolution=res, cell__in=cells).values("cell")
            .annotate(n=n, ov=ov, mj=mj).order_by("cell").values_list("cell", "n", "ov", "mj"))
    return [(c, n, ov or 0, mj or 0) for c, n, ov, mj in rows if n]


def _day_terms(q: MapQuery, user):
    """How MapCellDay answers this date-range query: "total" (the ("*", "*") rows: public map, admin without a
    sector filter), a list of (region path, sectors or None) areas (admin with a sector filter, regulators: the
    exact (sector, region key) rows inside them), or None (count live: a status filter, the public map with a
    sector filter, unit staff, township-level jurisdictions)."""
    f = q.filters
    if not (f.date_from or f.date_to) or f.statuses:
        return None
    areas = _areas(q, user)
    if areas == [("", None)]:
        return "total"
    if q.scope == "public":
        return None
    return areas


def _counts_days(q: MapQuery, terms, res: int, cells: list[str], using) -> list[tuple]:
    """Counts per cell of the cases created in [from, to]: each running total on or before `to` minus the one
    before `from` (MapCellDay), two index seeks per series of the cell (MapSeries: one for "total", one per
    (sector, region key) pair present in the cell inside the wanted areas for `terms` lists)."""
    from django.db import connections

    from hazardwatch.insights.models import MapCellDay, MapSeries

    f = q.filters
    days = MapCellDay._meta.db_table
    series = MapSeries.objects.db_manager(using).filter(resolution=res, cell__in=cells)
    if terms == "total":
        series = series.filter(scope="public" if q.scope == "public" else "all", sector=ALL, region=ALL)
    else:
        if not terms:
            return []
        area_q = None
        for path, sectors in terms:
            part = Q(sector__in=sorted(sectors)) if sectors is not None else ~Q(sector=ALL)
            if path:
                part &= Q(region__startswith=path)
            area_q = part if area_q is None else area_q | part
        series = series.filter(area_q, scope="all").exclude(sector=ALL).exclude(region=ALL)
    driver_sql, driver_params = series.values_list("pk", "cell").query.sql_with_params()

    n_sql, ov_sql, mj_sql = ("(" + (" + ".join(f"d.{b}" for b in cols) if cols else "0") + ")"
                             for cols in _wanted_buckets(f))
    # The three counts of the wanted buckets packed into one integer (21 bits each), so one seek returns them
    # and Python unpacks them with shifts; -1 when the cases count does not fit (more than 2,097,151 in one
    # series: never at today's national volumes, but then the exact counts are read apart, slower).
    limit = PACK_LIMIT
    shift = limit.bit_length() - 1
    packed = (f"CASE WHEN {n_sql} < {limit} THEN CAST({n_sql} AS BIGINT) * {limit * limit} "
              f"+ CAST({ov_sql} AS BIGINT) * {limit} + {mj_sql} ELSE -1 END")

    def latest(bound_sql):  # the packed counts of the latest running total within the bound (covering index)
        return (f"(SELECT {packed} FROM {days} d WHERE d.series_id = x.pk{bound_sql} "
                f"ORDER BY d.day DESC LIMIT 1)")

    params: list = [f.date_to] if f.date_to else []
    hi_sql = latest(" AND d.day <= %s" if f.date_to else "")
    lo_sql = "NULL"
    if f.date_from:
        lo_sql = latest(" AND d.day < %s")
        params.append(f.date_from)
    sql = f"SELECT x.cell, x.pk, {hi_sql}, {lo_sql} FROM ({driver_sql}) x"
    with connections[using or "default"].cursor() as cursor:
        cursor.execute(sql, [*params, *driver_params])
        rows = cursor.fetchall()
    mask = limit - 1
    acc: dict[str, list[int]] = {}
    for cell, pk, hi, lo in rows:
        if hi is None:
            continue
        if hi < 0 or (lo is not None and lo < 0):
            n, ov, mj = _series_range_exact(pk, f, using)
        else:
            v = hi - (lo or 0)  # running totals never decrease with the day, so each field subtracts alone
            n, ov, mj = v >> (2 * shift), (v >> shift) & mask, v & mask
        if n:
            total = acc.get(cell)
            if total is None:
                acc[cell] = [n, ov, mj]
            else:
                total[0] += n
                total[1] += ov
                total[2] += mj
    return [(c, *v) for c, v in sorted(acc.items())]


PACK_LIMIT = 1 << 21  # three 21-bit fields in a 64-bit integer


def _series_range_exact(series_id: int, f: MapFilters, using) -> tuple[int, int, int]:
    """(cases, overdue, major) of one series created in [from, to], read without packing."""
    from hazardwatch.insights.models import MapCellDay

    rows = MapCellDay.objects.db_manager(using).filter(series_id=series_id).order_by("-day")

    def at(qs):
        row = qs.values(*BUCKETS).first()
        return [sum(row[b] for b in cols) if row else 0 for cols in _wanted_buckets(f)]

    hi = at(rows.filter(day__lte=f.date_to) if f.date_to else rows)
    lo = at(rows.filter(day__lt=f.date_from)) if f.date_from else [0, 0, 0]
    return hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]


def _r(x: float) -> float:
    return round(x, 6)


@functools.lru_cache(maxsize=200_000)
def cell_geometry(cell: str) -> tuple[float, float, list]:
    """Centre and boundary of a cell, rounded (cells repeat across requests, so cache them)."""
    lat, lon = h3.cell_to_latlng(cell)
    return _r(lat), _r(lon), [[_r(a), _r(b)] for a, b in h3.cell_to_boundary(cell)]


def map_clusters(q: MapQuery, user=None, *, using: str | None = None, boundaries: bool = True) -> dict:
    """Counts per H3 cell for the viewport (and staff points at street zoom)."""
    result = {"zoom": q.zoom, "scope": q.scope, "resolution": None, "source": "none", "cells": [], "points": [],
              "total": 0, "truncated": False}
    bbox = _clip(q.bbox)
    if bbox is None:
        return result
    q = MapQuery(bbox=bbox, zoom=q.zoom, scope=q.scope, filters=q.filters)
    res = choose_resolution(bbox, q.zoom)
    result["resolution"] = res
    if q.scope == "staff" and q.zoom >= POINTS_ZOOM:
        return _points(q, user, using, result)
    cells = cells_for_bbox(bbox, res)
    ready = _aggregate_ready(using)
    split = _split_where(q, user) if ready and res in SPLIT_RESOLUTIONS else None
    day_terms = _day_terms(q, user) if ready and res in DAY_RESOLUTIONS else None
    if day_terms is not None:
        counts = _counts_days(q, day_terms, res, cells, using)
        result["source"] = "aggregate"
    elif ready and q.filters.empty and (q.scope == "public" or _all_cases_user(user)):
        counts = _counts_aggregate("public" if q.scope == "public" else "all", res, cells, using)
        result["source"] = "aggregate"
    elif split is not None:
        counts = _counts_split(split, q.filters, q.scope, res, cells, using)
        result["source"] = "aggregate"
    else:
        counts = _counts_live(q, res, cells, user, using)
        result["source"] = "live"
    if isinstance(counts, dict):
        counts = [(c, *v) for c, v in sorted(counts.items())]
    out, total, geometry = [], 0, cell_geometry
    for cell, n, ov, mj in counts:  # sorted by cell
        lat, lon, boundary = geometry(cell)
        if boundaries:
            out.append({"cell": cell, "lat": lat, "lon": lon, "count": n, "overdue": ov, "major": mj,
                        "boundary": boundary})
        else:
            out.append({"cell": cell, "lat": lat, "lon": lon, "count": n, "overdue": ov, "major": mj})
        total += n
    result["cells"] = out
    result["total"] = total
    return result


def _points(q: MapQuery, user, using, result) -> dict:
    s, w, n, e = q.bbox
    qs = apply_filters(base_queryset("staff", user, using), q.filters)
    cells = cells_for_bbox(q.bbox, 9)
    rows = list(qs.filter(h3_r9__in=cells, lat__gte=s, lat__lte=n, lon__gte=w, lon__lte=e)
                .order_by("-is_overdue", "-created_at")
                .values("pk", "reference", "status", "grade", "is_overdue", "lat", "lon")[:POINT_LIMIT + 1])
    result["truncated"] = len(rows) > POINT_LIMIT
    result["points"] = [
        {"id": r["pk"], "reference": r["reference"], "status": r["status"], "grade": r["grade"],
         "overdue": r["is_overdue"], "lat": _r(r["lat"]), "lon": _r(r["lon"]), "url": f"/staff/cases/{r['pk']}/"}
        for r in rows[:POINT_LIMIT]
    ]
    result["total"] = len(result["points"])
    result["source"] = "live"
    return result


# --- GeoJSON export --------------------------------------------------------------------------------------

def export_queryset(q: MapQuery, user, using=None):
    qs = apply_filters(base_queryset("staff", user, using), q.filters).filter(lat__isnull=False, lon__isnull=False)
    if q.bbox:
        s, w, n, e = q.bbox
        qs = qs.filter(lat__gte=s, lat__lte=n, lon__gte=w, lon__lte=e)
    count = qs.count()
    if count > EXPORT_LIMIT:
        _bad(EXPORT_TOO_LARGE.format(count=count, limit=EXPORT_LIMIT), count=count, limit=EXPORT_LIMIT)
    return qs.order_by("pk")


def geojson_chunks(qs, chunk_size: int = 2000):
    """The FeatureCollection as text chunks (one feature per line), for a streaming response."""
    yield '{"type":"FeatureCollection","features":[\n'
    first = True
    fields = ("pk", "reference", "status", "grade", "sector", "is_overdue", "created_at", "lat", "lon")
    for pk, ref, status, grade, sector, overdue, created, lat, lon in qs.values_list(*fields).iterator(
            chunk_size=chunk_size):
        feature = {"type": "Feature", "id": pk,
                   "geometry": {"type": "Point", "coordinates": [_r(lon), _r(lat)]},
                   "properties": {"reference": ref, "status": status, "grade": grade, "sector": sector,
                                  "overdue": overdue, "created_at": created.isoformat() if created else None}}
        yield ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"


# --- the pre-aggregate --------------------------------------------------------------------------------

def _contributions(h3_r5, h3_r7, h3_r9, status, grade, is_overdue) -> dict:
    if not h3_r5:
        return {}
    cells = {3: h3.cell_to_parent(h3_r5, 3), 5: h3_r5, 7: h3_r7, 9: h3_r9}
    scopes = ["all"] + (["public"] if status in PUBLIC_STATUSES else [])
    vec = (1, int(bool(is_overdue)), int(grade == CaseGrade.MAJOR))
    return {(res, scope, cell): vec for res, cell in cells.items() if cell for scope in scopes}


def _bucket(grade, is_overdue) -> int:
    g = 0 if grade == CaseGrade.GENERAL else 1 if grade == CaseGrade.MAJOR else 2
    return 2 * g + int(bool(is_overdue))


def _split_contributions(h3_r5, h3_r7, h3_r9, status, grade, is_overdue, sector, region_path) -> dict:
    """{(resolution, status key, sector key, region key, cell): bucket index} for one case."""
    if not h3_r5:
        return {}
    cells = {3: h3.cell_to_parent(h3_r5, 3), 5: h3_r5, 7: h3_r7, 9: h3_r9}
    statuses = [status] + [m for m, members in STATUS_MEMBERS.items() if status in members]
    regions = ((region_path or "")[:REGION_KEY_LEN], ALL)
    b = _bucket(grade, is_overdue)
    return {(res, st, se, rg, cell): b for res, cell in cells.items() if cell and res in SPLIT_RESOLUTIONS
            for st in statuses for se in (sector, ALL) for rg in regions}


def _day_contributions(h3_r5, h3_r7, h3_r9, status, grade, is_overdue, sector, region_path, created_at) -> dict:
    """{(resolution, scope, sector key, region key, cell, local creation day): bucket index} for one case
    (MapCellDay): ("*", "*") for each scope, and the exact (sector, region key) for scope "all"."""
    if not h3_r5 or created_at is None:
        return {}
    day = timezone.localtime(created_at).date()
    cells = {3: h3.cell_to_parent(h3_r5, 3), 5: h3_r5, 7: h3_r7, 9: h3_r9}
    keys = [("all", ALL, ALL), ("all", sector, (region_path or "")[:REGION_KEY_LEN])]
    if status in PUBLIC_STATUSES:
        keys.append(("public", ALL, ALL))
    b = _bucket(grade, is_overdue)
    return {(res, scope, se, rg, cell, day): b for res, cell in cells.items() if cell and res in DAY_RESOLUTIONS
            for scope, se, rg in keys}


STATE_FIELDS = ("h3_r5", "h3_r7", "h3_r9", "status", "grade", "is_overdue", "sector", "region_path", "created_at")
NO_STATE = ({}, {}, {})


def _state(values) -> tuple[dict, dict, dict]:
    h3_r5, h3_r7, h3_r9, status, grade, is_overdue, sector, region_path, created_at = values
    return (_contributions(h3_r5, h3_r7, h3_r9, status, grade, is_overdue),
            _split_contributions(h3_r5, h3_r7, h3_r9, status, grade, is_overdue, sector, region_path),
            _day_contributions(h3_r5, h3_r7, h3_r9, status, grade, is_overdue, sector, region_path, created_at))


def _state_of(case) -> tuple[dict, dict, dict]:
    return _state([getattr(case, name) for name in STATE_FIELDS])


def _apply_split(deltas: dict, using) -> None:
    from hazardwatch.insights.models import MapCellSplit

    manager = MapCellSplit.objects.db_manager(using)
    for (res, status, sector, region, cell), vec in deltas.items():
        changes = {BUCKETS[i]: F(BUCKETS[i]) + d for i, d in enumerate(vec) if d}
        if not changes:
            continue
        row = manager.filter(resolution=res, status=status, sector=sector, region=region, cell=cell)
        if row.update(**changes):
            continue
        try:
            with transaction.atomic(using=using):
                manager.create(resolution=res, status=status, sector=sector, region=region, cell=cell,
                               **{BUCKETS[i]: d for i, d in enumerate(vec)})
        except IntegrityError:  # created concurrently
            row.update(**changes)


def _apply_days(deltas: dict, using) -> None:
    """Add each (resolution, scope, sector, region, cell, day) delta to its series' running totals from that day
    on, first creating the series and the day's row (a copy of the previous total) where missing. The cell's
    MapCellCount ("all") row is locked first, so concurrent changes to one cell's running totals apply one
    after the other."""
    from hazardwatch.insights.models import MapCellCount, MapCellDay, MapSeries

    manager = MapCellDay.objects.db_manager(using)
    locked = set()
    for (res, scope, sector, region, cell, day), vec in sorted(deltas.items()):
        changes = {BUCKETS[i]: F(BUCKETS[i]) + d for i, d in enumerate(vec) if d}
        if not changes:
            continue
        if (res, cell) not in locked:
            list(MapCellCount.objects.db_manager(using).select_for_update()
                 .filter(resolution=res, scope="all", cell=cell).values_list("pk"))
            locked.add((res, cell))
        key = {"resolution": res, "scope": scope, "sector": sector, "region": region, "cell": cell}
        series_id = MapSeries.objects.db_manager(using).filter(**key).values_list("pk", flat=True).first()
        if series_id is None:
            try:
                with transaction.atomic(using=using):
                    series_id = MapSeries.objects.db_manager(using).create(**key).pk
            except IntegrityError:  # created concurrently
                series_id = MapSeries.objects.db_manager(using).get(**key).pk
        rows = manager.filter(series_id=series_id)
        if not rows.filter(day=day).exists():
            before = rows.filter(day__lt=day).order_by("-day").values_list(*BUCKETS).first() or (0,) * len(BUCKETS)
            try:
                with transaction.atomic(using=using):
                    manager.create(series_id=series_id, day=day, **dict(zip(BUCKETS, before)))
            except IntegrityError:  # created concurrently
                pass
        rows.filter(day__gte=day).update(**changes)


def _apply_state(old: tuple[dict, dict, dict], new: tuple[dict, dict, dict], using) -> None:
    deltas: dict = {}
    for key, vec in old[0].items():
        deltas[key] = [-v for v in vec]
    for key, vec in new[0].items():
        acc = deltas.setdefault(key, [0, 0, 0])
        for i, v in enumerate(vec):
            acc[i] += v
    _apply(deltas, using)
    _apply_split(_bucket_deltas(old[1], new[1]), using)
    _apply_days(_bucket_deltas(old[2], new[2]), using)


def _bucket_deltas(old: dict, new: dict) -> dict:
    """{key: [delta per grade × overdue bucket]} from two {key: bucket index} contributions."""
    out: dict = {}
    for sign, contributions in ((-1, old), (1, new)):
        for key, b in contributions.items():
            out.setdefault(key, [0] * len(BUCKETS))[b] += sign
    return out


def _apply(deltas: dict, using) -> None:
    from hazardwatch.insights.models import MapCellCount

    manager = MapCellCount.objects.db_manager(using)
    for (res, scope, cell), (dn, dov, dmj) in deltas.items():
        if not (dn or dov or dmj):
            continue
        row = manager.filter(resolution=res, scope=scope, cell=cell)
        if row.update(count=F("count") + dn, overdue=F("overdue") + dov, major=F("major") + dmj):
            continue
        try:
            with transaction.atomic(using=using):
                manager.create(resolution=res, scope=scope, cell=cell, count=dn, overdue=dov, major=dmj)
        except IntegrityError:  # created concurrently
            row.update(count=F("count") + dn, overdue=F("overdue") + dov, major=F("major") + dmj)


def _on_pre_save(sender, instance, using, raw=False, **kwargs):
    instance._map_old = NO_STATE
    if raw or not instance.pk or not _aggregate_ready(using):
        instance._map_ready = False
        return
    instance._map_ready = True
    old = sender.objects.db_manager(using).filter(pk=instance.pk).values_list(*STATE_FIELDS).first()
    if old:
        instance._map_old = _state(old)


def _on_post_save(sender, instance, created, using, raw=False, **kwargs):
    if raw:
        return
    ready = getattr(instance, "_map_ready", None)
    if ready is None or created:
        ready = _aggregate_ready(using)
    if not ready:
        return
    new = _state_of(instance)
    _apply_state(getattr(instance, "_map_old", NO_STATE), new, using)
    instance._map_old = new


def _on_post_delete(sender, instance, using, **kwargs):
    if _aggregate_ready(using):
        _apply_state(_state_of(instance), NO_STATE, using)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(_on_pre_save, sender="cases.Case", dispatch_uid="insights_map_pre_save")
    post_save.connect(_on_post_save, sender="cases.Case", dispatch_uid="insights_map_post_save")
    post_delete.connect(_on_post_delete, sender="cases.Case", dispatch_uid="insights_map_post_delete")


def map_cells_rebuild(using: str = "default") -> int:
    """Recount MapCellCount and MapCellSplit from Case (after bulk loads or QuerySet.update()); returns the
    number of rows written."""
    from hazardwatch.cases.models import Case
    from hazardwatch.insights.models import MapAggregateState, MapCellCount, MapCellDay, MapCellSplit, MapSeries

    agg = {"n": Count("pk"), "ov": Count("pk", filter=Q(is_overdue=True)),
           "mj": Count("pk", filter=Q(grade=CaseGrade.MAJOR))}
    rows: list = []
    with transaction.atomic(using=using):
        MapAggregateState.objects.using(using).all().delete()
        MapCellCount.objects.using(using).all().delete()
        for scope in ("all", "public"):
            qs = Case.objects.using(using).exclude(h3_r5="")
            if scope == "public":
                qs = qs.exclude(status__in=list(HIDDEN_FROM_PUBLIC))
            r3: dict[str, list[int]] = {}
            for res in (5, 7, 9):
                col = f"h3_r{res}"
                for row in qs.values(col).annotate(**agg).order_by().iterator(chunk_size=5000):
                    rows.append(MapCellCount(resolution=res, scope=scope, cell=row[col], count=row["n"],
                                             overdue=row["ov"], major=row["mj"]))
                    if res == 5:
                        acc = r3.setdefault(h3.cell_to_parent(row[col], 3), [0, 0, 0])
                        acc[0] += row["n"]
                        acc[1] += row["ov"]
                        acc[2] += row["mj"]
            rows.extend(MapCellCount(resolution=3, scope=scope, cell=c, count=n, overdue=ov, major=mj)
                        for c, (n, ov, mj) in r3.items())
        MapCellCount.objects.using(using).bulk_create(rows, batch_size=5000)
        split_rows = _split_rebuild(using) + _days_rebuild(using)
        MapAggregateState.objects.using(using).create(built_at=timezone.now(),
                                                      cases=Case.objects.using(using).count())
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner misjudges IN lists. Outside a transaction VACUUM also sets the
        # visibility map of the freshly written pages, so the running-total seeks are index-only (without it,
        # measured at 1M cases: a heap fetch for 9 in 10 seeks until autovacuum gets to the table).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (MapCellCount, MapCellSplit, MapSeries, MapCellDay, Case):
                cursor.execute(f"{command} {model._meta.db_table}")
    return len(rows) + split_rows


def _split_rebuild(using: str) -> int:
    """Recount MapCellSplit in SQL (inside the caller's transaction): base rows (status, sector, region, cell)
    per resolution from Case, r3 from the r5 rows, then the rollup members from those rows."""
    from django.db import connections

    from hazardwatch.cases.models import Case
    from hazardwatch.insights.models import MapCellSplit

    table, cases = MapCellSplit._meta.db_table, Case._meta.db_table
    cols = "resolution, status, sector, region, cell, " + ", ".join(BUCKETS)
    sums = ", ".join(f"SUM({b})" for b in BUCKETS)
    buckets = _bucket_sums_sql()
    region = f"SUBSTR(COALESCE(region_path, ''), 1, {REGION_KEY_LEN})"
    MapCellSplit.objects.using(using).all().delete()
    with connections[using].cursor() as cursor:
        for res in (5, 7, 9):
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {res}, status, sector, {region}, h3_r{res}, {', '.join(buckets)} "
                f"FROM {cases} WHERE h3_r5 <> '' AND h3_r{res} <> '' GROUP BY status, sector, {region}, h3_r{res}")
        r3: dict = {}
        cursor.execute(f"SELECT status, sector, region, cell, {', '.join(BUCKETS)} FROM {table} WHERE resolution = 5")
        for status, sector, region_key, cell, *vec in cursor.fetchall():
            acc = r3.setdefault((status, sector, region_key, h3.cell_to_parent(cell, 3)), [0] * len(BUCKETS))
            for i, v in enumerate(vec):
                acc[i] += v
        MapCellSplit.objects.using(using).bulk_create(
            (MapCellSplit(resolution=3, status=k[0], sector=k[1], region=k[2], cell=k[3],
                          **dict(zip(BUCKETS, vec))) for k, vec in r3.items()), batch_size=5000)
        for res in SPLIT_RESOLUTIONS:
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {res}, status, '{ALL}', region, cell, {sums} "
                           f"FROM {table} WHERE resolution = {res} GROUP BY status, region, cell")
            rollups = [(m, "status IN ({})".format(", ".join(f"'{s}'" for s in sorted(members))))
                       for m, members in STATUS_MEMBERS.items()]
            for member, cond in rollups:
                cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {res}, '{member}', sector, region, cell, {sums} "
                               f"FROM {table} WHERE resolution = {res} AND {cond} GROUP BY sector, region, cell")
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {res}, status, sector, '{ALL}', cell, {sums} "
                           f"FROM {table} WHERE resolution = {res} GROUP BY status, sector, cell")
    return MapCellSplit.objects.using(using).count()


def _bucket_sums_sql() -> list[str]:
    """SQL sums of the six grade × overdue counters over Case rows, in BUCKETS order."""
    out = []
    for grade_sql in ("grade = 'general'", "grade = 'major'", "grade NOT IN ('general', 'major')"):
        for od in ("NOT is_overdue", "is_overdue"):
            out.append(f"SUM(CASE WHEN {grade_sql} AND {od} THEN 1 ELSE 0 END)")
    return out


def _days_rebuild(using: str) -> int:
    """Recount MapSeries and MapCellDay in SQL (inside the caller's transaction): per resolution and scope, the
    series present, then the cases per (series, local creation day), turned into running totals by a window
    sum; r3 from the r5 day counts."""
    from django.db import connections

    from hazardwatch.cases.models import Case
    from hazardwatch.insights.models import MapCellDay, MapSeries

    connection = connections[using]
    table, cases, series = MapCellDay._meta.db_table, Case._meta.db_table, MapSeries._meta.db_table
    day_sql, day_params = connection.ops.datetime_cast_date_sql("created_at", (), timezone.get_current_timezone_name())
    sums = ", ".join(f"{expr} AS {b}" for expr, b in zip(_bucket_sums_sql(), BUCKETS))
    running = ", ".join(f"SUM(g.{b}) OVER (PARTITION BY s.id ORDER BY g.day)" for b in BUCKETS)
    hidden = ", ".join(f"'{s}'" for s in sorted(HIDDEN_FROM_PUBLIC))
    region = f"SUBSTR(COALESCE(region_path, ''), 1, {REGION_KEY_LEN})"
    families = (("all", "'*'", "'*'", ""), ("public", "'*'", "'*'", f" AND status NOT IN ({hidden})"),
                ("all", "sector", region, ""))
    MapCellDay.objects.using(using).all().delete()
    MapSeries.objects.using(using).all().delete()
    with connection.cursor() as cursor:
        for scope, sector_sql, region_sql, where in families:
            for res in (5, 7, 9):
                source = f"FROM {cases} WHERE h3_r5 <> '' AND h3_r{res} <> ''{where}"
                cursor.execute(f"INSERT INTO {series} (resolution, scope, sector, region, cell) "
                               f"SELECT {res}, '{scope}', {sector_sql}, {region_sql}, h3_r{res} {source} "
                               f"GROUP BY 3, 4, 5")
                grouped = (f"SELECT {sector_sql} AS sector, {region_sql} AS region, h3_r{res} AS cell, "
                           f"{day_sql} AS day, {sums} {source} GROUP BY 1, 2, 3, 4")
                cursor.execute(f"INSERT INTO {table} (series_id, day, {', '.join(BUCKETS)}) "
                               f"SELECT s.id, g.day, {running} FROM ({grouped}) g JOIN {series} s "
                               f"ON s.resolution = {res} AND s.scope = '{scope}' AND s.cell = g.cell "
                               f"AND s.sector = g.sector AND s.region = g.region", day_params)
                if res == 5:
                    cursor.execute(f"SELECT sector, region, cell, day, {', '.join(BUCKETS)} FROM ({grouped}) g",
                                   day_params)
                    _days_r3(cursor.fetchall(), scope, using)
    return MapSeries.objects.using(using).count() + MapCellDay.objects.using(using).count()


def _days_r3(r5_rows, scope: str, using: str) -> None:
    """r3 running totals from r5 day counts (no r3 column on Case): sum children per day, then accumulate."""
    from hazardwatch.insights.models import MapCellDay, MapSeries

    r3: dict = {}
    for sector, region, cell, day, *vec in r5_rows:
        acc = r3.setdefault((sector, region, h3.cell_to_parent(cell, 3), day), [0] * len(BUCKETS))
        for i, v in enumerate(vec):
            acc[i] += v
    keys = sorted({key[:3] for key in r3})
    MapSeries.objects.using(using).bulk_create(
        [MapSeries(resolution=3, scope=scope, sector=se, region=rg, cell=c) for se, rg, c in keys], batch_size=5000)
    ids = {(se, rg, c): pk for se, rg, c, pk in MapSeries.objects.using(using).filter(resolution=3, scope=scope)
           .values_list("sector", "region", "cell", "pk").iterator(chunk_size=5000)}
    rows, total, last = [], [0] * len(BUCKETS), None
    for (sector, region, cell, day), vec in sorted(r3.items()):
        if (sector, region, cell) != last:
            total, last = [0] * len(BUCKETS), (sector, region, cell)
        total = [a + b for a, b in zip(total, vec)]
        rows.append(MapCellDay(series_id=ids[last], day=day, **dict(zip(BUCKETS, total))))
    MapCellDay.objects.using(using).bulk_create(rows, batch_size=5000)
