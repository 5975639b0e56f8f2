"""Day-precise ranges below the levels of the day cells: whole months from the cells + live edge months ("mixed")
equal live counts exactly; and the overdue list's partial index survives migrations that rebuild the cases table.

The day rows hold the county level (views the day cells hold: test_stats_days.py), so that the mixed source
keeps being tested on the district regulators and county drill-downs (more cases than a township), these tests
build the day rows for a shallower depth (prefecture): counties are then below them, as townships are."""
import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection

from hazardwatch.cases.models import Case
from hazardwatch.insights import stats
from hazardwatch.insights.tests.test_stats import at, mk, summary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shallow_day_rows(monkeypatch):
    """Day rows down to the prefecture level only (their marker records it): county views are mixed."""
    monkeypatch.setattr(stats, "DAY_DEPTH", 2)

SECTORS = ("fire", "industry_trade")
STATUSES = ("new", "assigned", "rectifying", "closed", "closed", "rejected", "merged")
REGIONS = ("410105001", "410105002", "410105004", "410103001", "410103002", "410105")


@pytest.fixture
def spread(city):
    """80 cases created over five months (Feb–Jun 2025, including month edges and local midnight)."""
    rng = random.Random(4)
    start = at(2025, 2, 1, 0)
    days = (at(2025, 7, 1, 0) - start).days
    for i in range(80):
        created = start + dt.timedelta(days=rng.randrange(days), hours=rng.choice((0, 3, 12, 23)),
                                       minutes=rng.choice((0, 59)))
        status = rng.choice(STATUSES)
        mk(rng.choice(REGIONS), rng.choice(SECTORS), status, grade=rng.choice(("", "general", "major")),
           category=rng.choice(("escape_route", "fire_equipment", "other")), created=created,
           close_days=rng.randrange(0, 90) if status == "closed" else None,
           overdue=status in ("assigned", "rectifying") and rng.random() < .5, deadline=at(2025, 3, 1))
    stats.stats_rebuild()


def _both(client, settings, user, **params):
    settings.HAZARDWATCH_STATS_SOURCE = "auto"
    mixed = summary(client, user, **params)
    settings.HAZARDWATCH_STATS_SOURCE = "live"
    live = summary(client, user, **params)
    for s in (mixed, live):
        s.pop("as_of")
    return mixed, live


def test_random_day_ranges_equal_live(client, city, spread, settings):
    rng = random.Random(7)
    first = dt.date(2025, 1, 20)
    seen = set()
    for i in range(14):
        a = first + dt.timedelta(days=rng.randrange(170))
        b = a + dt.timedelta(days=rng.randrange(1, 150))
        user = (city.admin_chen, city.inspector_li, city.erqi_wang)[i % 3]
        params = {"from": a.isoformat(), "to": b.isoformat()}
        if user == city.admin_chen:
            params["region"] = "410105"  # a county: below the day cells
        if i % 3 == 0:
            params["sector"] = "fire"
        if i % 4 == 1:
            params["grade"] = "general"
        mixed, live = _both(client, settings, user, **params)
        assert live["source"] == "live"
        seen.add(mixed["source"])
        assert {**mixed, "source": ""} == {**live, "source": ""}, params
    assert "mixed" in seen


def test_open_ended_and_edge_ranges(client, city, spread, settings):
    for params in ({"from": "2025-03-17"}, {"to": "2025-04-11"}, {"from": "2025-02-28", "to": "2025-04-01"},
                   {"from": "2025-03-01", "to": "2025-05-30"}, {"from": "2025-03-02", "to": "2025-05-31"}):
        mixed, live = _both(client, settings, city.admin_chen, region="410105", **params)
        assert mixed["source"] == "mixed", params
        assert {**mixed, "source": ""} == {**live, "source": ""}, params
    # Within two partial months there is no whole month: counted live.
    mixed, _ = _both(client, settings, city.admin_chen, region="410105", **{"from": "2025-03-10", "to": "2025-04-20"})
    assert mixed["source"] == "live"


def test_weekly_axis_equals_live(client, city, spread, settings):
    for params in ({"from": "2025-03-01", "to": "2025-05-31"}, {"from": "2025-02-12", "to": "2025-06-03"}):
        mixed, live = _both(client, settings, city.inspector_li, interval="week", **params)
        assert mixed["source"] == "mixed"
        assert {**mixed, "source": ""} == {**live, "source": ""}, params
        assert sum(r["created"] for r in mixed["by_time"]) == mixed["kpi"]["total"] > 0


def test_mixed_sees_only_refreshed_whole_months(client, city, spread, settings):
    """Whole months come from the cells (as of the last refresh), edge days are live."""
    settings.HAZARDWATCH_STATS_SOURCE = "auto"
    params = {"from": "2025-03-15", "to": "2025-05-31", "region": "410105"}
    before = summary(client, city.admin_chen, **params)["kpi"]["total"]
    mk("410105001", "fire", "new", created=at(2025, 4, 10))  # a whole month: not counted until the refresh
    mk("410105001", "fire", "new", created=at(2025, 3, 20))  # an edge month: counted at once
    assert summary(client, city.admin_chen, **params)["kpi"]["total"] == before + 1
    stats.stats_refresh()
    assert summary(client, city.admin_chen, **params)["kpi"]["total"] == before + 2


def _has_overdue_index() -> bool:
    with connection.cursor() as cursor:
        return "insights_case_overdue" in connection.introspection.get_constraints(cursor, "cases_case")


def test_overdue_index_restored_after_migrate(db):
    assert _has_overdue_index()
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "insights_case_overdue"')  # what a SQLite rebuild of cases_case does
    assert not _has_overdue_index()
    call_command("migrate", verbosity=0)
    assert _has_overdue_index()
    assert Case.objects.filter(is_overdue=True).count() == 0
