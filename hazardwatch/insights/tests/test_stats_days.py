"""Day-precise ranges and the weekly axis from day cells ("days"): whole months from StatsCell, edge days (or the
whole range, or the weekly chart) from StatsDayCell, no live counting; every figure equals the live answer."""
import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazardwatch.cases.models import Case
from hazardwatch.insights import stats
from hazardwatch.insights.models import StatsCell, StatsDayCell
from hazardwatch.insights.tests.test_stats import at, mk, summary

pytestmark = pytest.mark.django_db

SECTORS = ("fire", "fire", "industry_trade", "gas")
STATUSES = ("new", "assigned", "rectifying", "closed", "closed", "rejected", "merged", "awaiting_verification")
# townships, counties, the prefecture itself (410100: "not located further" in the city view), the province
REGIONS = ("410105001", "410105002", "410105004", "410103001", "410103002", "410105", "410102", "410100", "410000")


def _located_nowhere(created, status="new"):
    """A case outside the loaded divisions (empty region path: the country level only)."""
    c = mk("410105001", "fire", status, created=created)
    Case.objects.filter(pk=c.pk).update(region=None, region_path="")


@pytest.fixture
def spread(city):
    """120 cases created over five months (Feb–Jun 2025: month edges, local midnight, 23:59), every level."""
    rng = random.Random(11)
    start = at(2025, 2, 1, 0)
    days = (at(2025, 7, 1, 0) - start).days
    for _ in range(120):
        created = start + dt.timedelta(days=rng.randrange(days), hours=rng.choice((0, 3, 12, 23)),
                                       minutes=rng.choice((0, 59)))
        status = rng.choice(STATUSES)
        mk(rng.choice(REGIONS), rng.choice(SECTORS), status, grade=rng.choice(("", "general", "major")),
           category=rng.choice(("escape_route", "fire_equipment", "other")), created=created,
           close_days=rng.choice((0, 3, 45, 70, 200)) if status == "closed" else None,
           overdue=status in ("assigned", "rectifying") and rng.random() < .5, deadline=at(2025, 3, 1))
    for d in (at(2025, 3, 31, 23), at(2025, 4, 1, 0), at(2025, 5, 17)):
        _located_nowhere(d)
    stats.stats_rebuild()


def _both(client, settings, user, **params):
    """(auto answer, live answer) without their `as_of`."""
    settings.HAZARDWATCH_STATS_SOURCE = "auto"
    auto = summary(client, user, **params)
    settings.HAZARDWATCH_STATS_SOURCE = "live"
    live = summary(client, user, **params)
    settings.HAZARDWATCH_STATS_SOURCE = "auto"
    assert live["source"] == "live"
    for s in (auto, live):
        s.pop("as_of")
    return auto, live


def _same(auto, live, params):
    assert {**auto, "source": ""} == {**live, "source": ""}, params


VIEWS = [  # (user attribute, extra parameters): admin, province drill, prefecture drill, city fire brigade,
    # county drills, the Jinshui fire brigade (a district regulator, one sector) and the Jinshui emergency bureau
    ("admin_chen", {}), ("admin_chen", {"region": "410000"}), ("admin_chen", {"region": "410100"}),
    ("city_sun", {}), ("admin_chen", {"region": "410105"}), ("inspector_li", {}), ("admin_chen", {"region": "410103"}),
    ("em_li", {}),
]
COUNTY_VIEWS = [v for v in VIEWS if v[0] in ("inspector_li", "em_li") or v[1].get("region") in ("410105", "410103")]


def test_random_day_ranges_equal_live(client, city, spread, settings):
    rng = random.Random(3)
    first = dt.date(2025, 1, 20)
    nonempty = 0
    for i in range(40):
        a = first + dt.timedelta(days=rng.randrange(170))
        b = a + dt.timedelta(days=rng.randrange(0, 150))
        attr, extra = VIEWS[i % len(VIEWS)]
        params = {"from": a.isoformat(), "to": b.isoformat(), **extra}
        if i % 5 == 0:
            params["sector"] = "fire"
        if i % 7 == 1:
            params["grade"] = ("general", "ungraded", "major")[i % 3]
        auto, live = _both(client, settings, getattr(city, attr), **params)
        assert auto["source"] == "days", params
        _same(auto, live, params)
        nonempty += auto["kpi"]["total"] > 0
    assert nonempty >= 30


@pytest.mark.parametrize("params", [
    {"from": "2025-03-10", "to": "2025-04-20"},  # no whole month: day cells alone
    {"from": "2025-03-31", "to": "2025-04-01"},  # two edge days across a month edge
    {"from": "2025-05-17", "to": "2025-05-17"},  # one day
    {"from": "2025-03-17"}, {"to": "2025-04-11"},  # open-ended
    {"from": "2025-02-28", "to": "2025-04-01"}, {"from": "2025-03-01", "to": "2025-05-30"},
    {"from": "2025-03-02", "to": "2025-05-31"}, {"from": "2025-01-15", "to": "2025-07-15"},
])
def test_edge_and_open_ranges_equal_live(client, city, spread, settings, params):
    for attr, extra in VIEWS:
        auto, live = _both(client, settings, getattr(city, attr), **params, **extra)
        assert auto["source"] == "days", (params, attr, extra)
        _same(auto, live, (params, attr, extra))
    admin, _ = _both(client, settings, city.admin_chen, **params)
    assert admin["kpi"]["total"] > 0


@pytest.mark.parametrize("params", [
    {"from": "2025-03-01", "to": "2025-05-31"}, {"from": "2025-02-12", "to": "2025-06-03"},
    {"from": "2025-03-04", "to": "2025-03-29"}, {"from": "2025-04-16"},
])
def test_weekly_axis_equals_live(client, city, spread, settings, params):
    for attr, extra in VIEWS:
        auto, live = _both(client, settings, getattr(city, attr), interval="week", **params, **extra)
        assert auto["source"] == "days", (params, attr)
        _same(auto, live, (params, attr, extra))
        assert sum(r["created"] for r in auto["by_time"]) == auto["kpi"]["total"]
        assert all(dt.date.fromisoformat(r["period"]).weekday() == 0 for r in auto["by_time"])
    admin, _ = _both(client, settings, city.admin_chen, interval="week", **params)
    assert len(admin["by_time"]) >= 2 and admin["kpi"]["total"] > 0


def test_days_source_reads_no_cases(client, city, spread, settings):
    """Only the overdue list reads the case table: every count comes from cells."""
    settings.HAZARDWATCH_STATS_SOURCE = "auto"
    for user, extra in ((city.admin_chen, {}), (city.admin_chen, {"region": "410105"}), (city.inspector_li, {})):
        client.force_login(user)
        for params in ({"from": "2025-03-10", "to": "2025-05-20"}, {"from": "2025-03-10", "to": "2025-04-20"},
                       {"from": "2025-03-01", "to": "2025-05-31", "interval": "week"}):
            with CaptureQueriesContext(connection) as ctx:
                r = client.get("/api/v1/stats/summary", {**params, **extra})
            assert r.status_code == 200 and r.json()["source"] == "days"
            case_queries = [q["sql"] for q in ctx.captured_queries if '"cases_case"' in q["sql"]]
            assert len(case_queries) == 1 and "is_overdue" in case_queries[0], case_queries


@pytest.mark.parametrize("params", [
    {"from": "2025-03-10", "to": "2025-05-20"}, {"from": "2025-03-10", "to": "2025-04-20"},
    {"from": "2025-02-12", "to": "2025-06-03", "interval": "week"}, {"from": "2025-04-16"},
])
def test_townships_keep_mixed_or_live(client, city, spread, settings, params):
    """Township drills are not held by the day rows: mixed (live edge parts), or live without a whole month."""
    no_whole_month = params.get("to") == "2025-04-20"
    for township in ("410105001", "410103002"):
        auto, live = _both(client, settings, city.admin_chen, region=township, **params)
        assert auto["source"] == ("live" if no_whole_month else "mixed"), (township, params)
        _same(auto, live, (township, params))
    # A county's region chart (its townships) comes from the township totals: exact, and no live part.
    auto, live = _both(client, settings, city.inspector_li, **params)
    assert auto["source"] == "days" and auto["by_region"], params
    _same(auto, live, params)


def test_day_rows_levels(spread):
    """Every kind at the country, province, prefecture and county levels; township rows are status totals only
    (their county as parent); no deeper; one marker row records the depth."""
    depth = {"": 0, "410000": 1, "410100": 2, "410105": 3, "410103": 3, "410102": 3}
    codes = set(StatsDayCell.objects.values_list("region_code", flat=True)) - {stats.DAY_MARK}
    assert set(depth) <= codes
    for code in codes - set(depth):
        assert len(code) == 9, code  # a township code
    township = StatsDayCell.objects.exclude(region_code__in=[*depth, stats.DAY_MARK])
    assert set(township.values_list("kind", "key", "is_overdue").distinct()) == {("s", "", False)}
    assert set(township.values_list("parent_code", flat=True)) == {"410105", "410103"}
    for code in depth:
        assert set(StatsDayCell.objects.filter(region_code=code).values_list("kind", flat=True)) == {"s", "c", "d"}
    assert list(StatsDayCell.objects.filter(region_code=stats.DAY_MARK).values_list("n", flat=True)) == [3]
    # Day rows sum to the month rows at the levels they share.
    for code in depth:
        for kind in ("s", "c", "d"):
            day_total = sum(StatsDayCell.objects.filter(region_code=code, kind=kind, sector="*", grade="*")
                            .values_list("n", flat=True))
            month_total = sum(StatsCell.objects.filter(region_code=code, kind=kind, sector="*", grade="*")
                              .values_list("n", flat=True))
            assert day_total == month_total > 0, (code, kind)
    # Township totals sum to their county's status rows (cases located at the county itself excepted).
    for county in ("410105", "410103"):
        towns = sum(township.filter(parent_code=county, sector="*", grade="*").values_list("n", flat=True))
        located = Case.objects.filter(region_path__startswith=f"410000/410100/{county}/{county}").count()
        assert towns == located > 0, county


def test_refresh_recounts_day_cells(client, city, spread, settings):
    params = {"from": "2025-03-20", "to": "2025-05-06"}
    weekly = {"from": "2025-03-20", "to": "2025-05-06", "interval": "week"}
    before = summary(client, city.city_sun, **params)
    assert before["source"] == "days"
    before_district = summary(client, city.inspector_li, **params)
    assert before_district["source"] == "days"
    # New cases on edge days and in a whole month, and a status change of an edge-day case (by a model save).
    mk("410105001", "fire", "new", created=at(2025, 3, 20, 0))
    mk("410103002", "fire", "assigned", created=at(2025, 5, 6, 23), overdue=True, deadline=at(2025, 5, 1))
    mk("410105", "fire", "new", created=at(2025, 4, 15))
    mk("410105002", "fire", "closed", created=at(2025, 3, 25), close_days=5)
    edge = (Case.objects.filter(sector="fire", region_path__startswith="410000/410100/", status="new",
                                created_at__gte=at(2025, 3, 20, 0), created_at__lt=at(2025, 4, 1, 0))
            .exclude(created_at=at(2025, 3, 20, 0)).first())
    assert edge is not None
    edge.status = "rejected"
    edge.save()
    # Not refreshed yet: the day cells answer with the figures of the last build (no live part).
    stale = summary(client, city.city_sun, **params)
    assert stale["kpi"] == before["kpi"]
    stats.stats_refresh()
    rows = StatsDayCell.objects.count()
    for p in (params, weekly, {"from": "2025-03-20", "to": "2025-03-31"}):
        auto, live = _both(client, settings, city.city_sun, **p)
        assert auto["source"] == "days"
        _same(auto, live, p)
    auto, _ = _both(client, settings, city.city_sun, **params)
    assert auto["kpi"]["total"] == before["kpi"]["total"] + 4
    stats.stats_refresh()  # idempotent
    assert StatsDayCell.objects.count() == rows
    auto, live = _both(client, settings, city.admin_chen, **params)
    _same(auto, live, params)
    # County views after the refresh: the district regulator and a county drill, day ranges and the weekly axis.
    for user, extra in ((city.inspector_li, {}), (city.em_li, {}), (city.admin_chen, {"region": "410105"}),
                        (city.admin_chen, {"region": "410103"})):
        for p in (params, weekly, {"from": "2025-03-20", "to": "2025-03-31"}, {"from": "2025-04-15"}):
            auto, live = _both(client, settings, user, **p, **extra)
            assert auto["source"] == "days", (p, extra)
            _same(auto, live, (p, extra))
    district, _ = _both(client, settings, city.inspector_li, **params)
    assert district["kpi"]["total"] == before_district["kpi"]["total"] + 3  # the three new Jinshui fire cases


def test_cells_without_day_cells_fall_back_and_refresh_builds_them(client, city, spread, settings):
    """Cells built before the day cells existed: the views stay exact (mixed) until the next refresh rebuilds."""
    StatsDayCell.objects.all().delete()
    params = {"from": "2025-03-10", "to": "2025-05-20"}
    auto, live = _both(client, settings, city.admin_chen, **params)
    assert auto["source"] == "mixed"
    _same(auto, live, params)
    out = stats.stats_refresh()
    assert out["months"] == "all" and out["day_cells"] > 0
    auto, live = _both(client, settings, city.admin_chen, **params)
    assert auto["source"] == "days"
    _same(auto, live, params)


def test_day_rows_of_a_shallower_build_are_not_read(client, city, spread, settings):
    """Day rows built for fewer levels (an older build: its marker says so) are never read for any view: the
    views stay exact (mixed) until the next refresh rebuilds them for the current depth."""
    StatsDayCell.objects.filter(region_code=stats.DAY_MARK).update(n=2)
    StatsDayCell.objects.filter(region_code__in=["410105", "410103", "410102"]).exclude(kind="s", key="").delete()
    params = {"from": "2025-03-10", "to": "2025-05-20"}
    for user, extra in ((city.inspector_li, {}), (city.admin_chen, {"region": "410105"}), (city.admin_chen, {})):
        auto, live = _both(client, settings, user, **params, **extra)
        assert auto["source"] == "mixed"
        _same(auto, live, extra)
    out = stats.stats_refresh()
    assert out["months"] == "all" and out["day_cells"] > 0
    for user, extra in ((city.inspector_li, {}), (city.admin_chen, {"region": "410105"})):
        auto, live = _both(client, settings, user, **params, **extra)
        assert auto["source"] == "days"
        _same(auto, live, extra)
