"""Date-range map views read MapCellDay (running totals per cell and creation day): the public map, admins
(also with a sector filter) and regulators (their region × sector areas). The counts must equal the cases
created in [from, to] (local dates) for any range, resolution, sector and grade/overdue filter, after a
rebuild and after saves, creations and deletions; ranges combined with a status filter, the public map with a
sector filter and unit staff keep counting live."""
import datetime as dt
import itertools
import random

import pytest
from django.utils import timezone

from hazardwatch.cases.models import Case
from hazardwatch.insights import maps
from hazardwatch.insights.models import MapCellDay
from hazardwatch.insights.tests.test_map_split import BBOX, POINTS, WIDE, _expected, _make, _randomize, _users

ZOOMS = ((BBOX, 11), (BBOX, 8), (WIDE, 5), ("34.70,113.58,34.84,113.78", 13))
START = dt.date(2025, 1, 1)


def _spread_dates(rng):
    """Creation times over 2025 at random hours, so that UTC and local (UTC+8) dates differ for some cases."""
    for pk in Case.objects.values_list("pk", flat=True):
        at = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(
            days=rng.randrange(365), hours=rng.choice([0, 3, 15, 16, 17, 23]), minutes=rng.randrange(60))
        Case.objects.filter(pk=pk).update(created_at=at)


def _ranges(rng, n, fixed=True):
    out = [(None, "2025-03-31"), ("2025-04-01", None), ("2025-06-15", "2025-06-15"), ("2024-01-01", "2024-12-31"),
           ("2025-02-01", "2026-12-31")] if fixed else []
    for _ in range(n):
        a = START + dt.timedelta(days=rng.randrange(365))
        b = a + dt.timedelta(days=rng.randrange(120))
        out.append((a.isoformat(), b.isoformat()))
    return out


def _in_range(case, date_from, date_to) -> bool:
    day = timezone.localtime(case.created_at).date()
    return (date_from is None or day >= dt.date.fromisoformat(date_from)) and (
        date_to is None or day <= dt.date.fromisoformat(date_to))


def _check(users, ranges, extra=({},)):
    cases = list(Case.objects.all())
    checked = 0
    for (label, user), (bbox, zoom), (date_from, date_to), more in itertools.product(
            users.items(), ZOOMS, ranges, extra):
        params = {"bbox": bbox, "zoom": str(zoom), "scope": "public" if user is None else "staff", **more}
        if date_from:
            params["from"] = date_from
        if date_to:
            params["to"] = date_to
        if user is None and "sector" in more:
            continue  # public map + sector + dates: live (tested below)
        q = maps.parse_map_query(params)
        body = maps.map_clusters(q, user)
        assert body["source"] == "aggregate", (label, params)
        got = {c["cell"]: [c["count"], c["overdue"], c["major"]] for c in body["cells"]}
        cells = maps.cells_for_bbox(maps._clip(q.bbox), body["resolution"])
        inside = [c for c in cases if _in_range(c, date_from, date_to)]
        plain = {k: v for k, v in params.items() if k not in ("from", "to")}
        assert got == _expected(inside, user, plain, body["resolution"], cells), (label, params)
        checked += 1
    return checked


def _totals():
    """{(resolution, scope, sector, region, cell): [(day, counters)]} of the running-total rows."""
    out: dict = {}
    for res, scope, sector, region, cell, day, *vec in MapCellDay.objects.order_by("day").values_list(
            "series__resolution", "series__scope", "series__sector", "series__region", "series__cell", "day",
            *maps.BUCKETS):
        out.setdefault((res, scope, sector, region, cell), []).append((day, tuple(vec)))
    return out


def _total_at(rows, day):
    value = (0,) * len(maps.BUCKETS)
    for d, vec in rows:
        if d > day:
            break
        value = vec
    return value


@pytest.mark.django_db
def test_date_ranges_read_running_totals_and_equal_the_cases(city):
    rng = random.Random(1129)
    users = _users(city)  # public, admin, two district regulators, a city regulator also in a district
    for _ in range(80):
        _make(rng)
    _spread_dates(rng)
    maps.map_cells_rebuild()
    assert MapCellDay.objects.filter(series__resolution=3).exists()
    assert MapCellDay.objects.filter(series__resolution=9).exists()
    assert _check(users, _ranges(rng, 7)) == 5 * 4 * 12
    # Counts too large to pack into one integer are read apart, exactly (a 2-bit field here, 21 bits in use).
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(maps, "PACK_LIMIT", 1 << 2)
        exact, calls = maps._series_range_exact, []
        mp.setattr(maps, "_series_range_exact", lambda *a: calls.append(a) or exact(*a))
        assert _check(users, _ranges(rng, 3)) == 5 * 4 * 8
        assert calls
    _check(users, _ranges(rng, 2, fixed=False), extra=({"grade": "major"}, {"grade": "ungraded", "overdue": "1"},
                                          {"overdue": "0"}, {"sector": "fire"}, {"sector": "fire,gas", "grade": "general"}))

    # changes through Model.save (as services do), deletions and new cases (created today)
    cases = list(Case.objects.all())
    for case in rng.sample(cases, 25):
        _randomize(case, rng)
        if rng.random() < 0.4:
            case.set_location(*rng.choice(POINTS))
        case.save()
    for case in rng.sample(cases, 6):
        case.delete()
    for _ in range(8):
        _make(rng)
    today = timezone.localdate().isoformat()
    _check(users, _ranges(rng, 4, fixed=False) + [(today, today), ("2025-06-01", None)],
           extra=({}, {"grade": "major"}, {"sector": "gas"}))

    # the maintained running totals equal a fresh rebuild at every day either of them holds
    maintained = _totals()
    maps.map_cells_rebuild()
    rebuilt = _totals()
    for key in set(maintained) | set(rebuilt):
        days = {d for d, _ in maintained.get(key, [])} | {d for d, _ in rebuilt.get(key, [])}
        for day in days:
            assert _total_at(maintained.get(key, []), day) == _total_at(rebuilt.get(key, []), day), (key, day)


@pytest.mark.django_db
def test_other_date_views_count_live_and_agree(city, client):
    rng = random.Random(5)
    for _ in range(40):
        _make(rng)
    _spread_dates(rng)
    maps.map_cells_rebuild()
    cases = list(Case.objects.all())
    window = {"from": "2025-02-10", "to": "2025-08-20"}
    for user, more in ((None, {"status": "closed"}), (None, {"sector": "fire"}), (city.admin_chen, {"status": "open"}),
                       (city.officer_liu, {})):
        params = {"bbox": BBOX, "zoom": "11", "scope": "public" if user is None else "staff", **window, **more}
        body = maps.map_clusters(maps.parse_map_query(params), user)
        assert body["source"] == "live"
        got = {c["cell"]: [c["count"], c["overdue"], c["major"]] for c in body["cells"]}
        inside = [c for c in cases if _in_range(c, window["from"], window["to"])]
        cells = maps.cells_for_bbox(maps._clip((34.55, 113.45, 34.95, 113.85)), 7)
        assert got == _expected(inside, user, {k: v for k, v in params.items() if k not in window}, 7, cells)
    # through HTTP: the public date view from the running totals equals the live count
    query = {"bbox": BBOX, "zoom": 11, **window}
    agg = client.get("/api/v1/map/clusters", query).json()
    from hazardwatch.insights.models import MapAggregateState

    MapAggregateState.objects.all().delete()
    live = client.get("/api/v1/map/clusters", query).json()
    assert (agg["source"], live["source"]) == ("aggregate", "live")
    assert agg["cells"] == live["cells"] and agg["total"] > 0
