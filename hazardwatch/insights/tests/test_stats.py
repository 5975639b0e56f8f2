"""Statistics dashboard through HTTP: figures on a known set, jurisdiction, drill-down, downloads, PDF, 400s."""
import csv
import datetime as dt
import io
import itertools

import pytest
from django.utils import timezone

from hazardwatch.cases.models import Case
from hazardwatch.insights import stats
from hazardwatch.places.models import Division

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)
_seq = itertools.count(1)


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def mk(code, sector, status, *, grade="", category="other", created=None, close_days=None, overdue=False,
       deadline=None, unit=None):
    region = Division.objects.get(code=code)
    n = next(_seq)
    c = Case.objects.create(reference=f"T-{n:06d}", title=f"hazard {n}", description="d", sector=sector,
                            status=status, grade=grade, category=category, region=region, region_path=region.path,
                            is_overdue=overdue, deadline=deadline, responsible_unit=unit,
                            criterion_item="x" if grade == "major" else "")
    created = created or at(2025, 3, 5)
    closed = created + dt.timedelta(days=close_days, hours=1) if close_days is not None else None
    Case.objects.filter(pk=c.pk).update(created_at=created, closed_at=closed)
    return c


@pytest.fixture
def cases(city):
    """Jinshui (410105) and Erqi (410103) fire cases, one Jinshui EM case; March and April 2025."""
    c = {}
    c["j1"] = mk("410105001", "fire", "closed", grade="general", category="escape_route", close_days=2)
    c["j2"] = mk("410105001", "fire", "closed", grade="general", category="escape_route", close_days=4)
    c["j3"] = mk("410105002", "fire", "closed", grade="major", category="fire_equipment", close_days=10)
    c["j4"] = mk("410105002", "fire", "rectifying", grade="general", category="escape_route", overdue=True,
                 deadline=at(2025, 3, 20), unit=city.enterprise)
    c["j5"] = mk("410105", "fire", "assigned", grade="general", category="ebike_charging", overdue=True,
                 deadline=at(2025, 3, 15), created=at(2025, 4, 2))
    c["j6"] = mk("410105004", "fire", "rejected", category="other", created=at(2025, 4, 3))
    c["j7"] = mk("410105004", "fire", "new", category="ebike_charging", created=at(2025, 4, 9))
    c["e1"] = mk("410103001", "fire", "closed", grade="general", category="fire_equipment", close_days=30)
    c["e2"] = mk("410103001", "fire", "merged", category="fire_equipment", created=at(2025, 4, 1))
    c["em"] = mk("410105001", "industry_trade", "rectifying", grade="general", category="workplace",
                 overdue=True, deadline=at(2025, 3, 10))
    return c


@pytest.fixture(params=["preaggregate", "live"])
def source(request, settings, cases):
    """Every figure test runs on both sources: built cells, and live GROUP BY."""
    if request.param == "preaggregate":
        stats.stats_rebuild()
        settings.HAZARDWATCH_STATS_SOURCE = "auto"
    else:
        settings.HAZARDWATCH_STATS_SOURCE = "live"
    return request.param


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def summary(client, user, **params):
    r = get(client, user, "/api/v1/stats/summary", **params)
    assert r.status_code == 200, r.content
    return r.json()


def counts(rows, key="key"):
    return {r[key]: r["count"] for r in rows}


def test_city_fire_figures(client, city, cases, source):
    s = summary(client, city.city_sun)  # city fire: all fire cases in Zhengzhou
    assert s["source"] == source
    assert s["region"]["code"] == "410100"
    k = s["kpi"]
    assert k["total"] == 9
    assert k["open"] == 3  # j4, j5, j7
    assert k["overdue"] == 2  # j4, j5
    assert k["closed"] == 4
    assert k["closure_rate"] == round(4 / 7, 4)  # 9 minus rejected minus merged
    assert k["median_days_to_close"] == 7.0  # 2, 4, 10, 30 → (4 + 10) / 2
    assert counts(s["by_status"]) == {"closed": 4, "rectifying": 1, "assigned": 1, "rejected": 1, "new": 1,
                                      "merged": 1}
    assert counts(s["by_sector"]) == {"fire": 9}
    assert counts(s["by_grade"]) == {"general": 5, "major": 1, "ungraded": 3}
    assert counts(s["by_region"], "code") == {"410105": 7, "410103": 2}
    assert s["by_time"] == [{"period": "2025-03", "created": 5, "closed": 4},
                            {"period": "2025-04", "created": 4, "closed": 0}]
    assert s["top_categories"][0] == {"key": "escape_route", "label": s["top_categories"][0]["label"], "count": 3}
    assert [c["reference"] for c in s["overdue_cases"]] == [cases["j5"].reference, cases["j4"].reference]
    assert s["overdue_cases"][0]["url"] == f"/staff/cases/{cases['j5'].pk}/"


def test_jurisdiction_limits(client, city, cases, source):
    s = summary(client, city.inspector_li)  # Jinshui fire
    assert s["kpi"]["total"] == 7
    assert counts(s["by_sector"]) == {"fire": 7}
    s = summary(client, city.em_li)  # Jinshui EM: only the industry-and-trade case
    assert s["kpi"]["total"] == 1 and s["kpi"]["overdue"] == 1
    s = summary(client, city.erqi_wang)
    assert s["kpi"]["total"] == 2 and s["kpi"]["closed"] == 1 and s["overdue_cases"] == []
    # Asking for another district shows nothing of it.
    s = summary(client, city.erqi_wang, region="410105")
    assert s["kpi"]["total"] == 0 and s["by_region"] == []
    # A unit sees its own cases (live counts).
    s = summary(client, city.officer_liu)
    assert s["kpi"]["total"] == 1 and s["source"] == "live"
    assert [c["reference"] for c in s["overdue_cases"]] == [cases["j4"].reference]
    s = summary(client, city.admin_chen)
    assert s["kpi"]["total"] == 10 and s["region"]["code"] == ""
    # One province, one city: the region chart starts at the first level that branches.
    assert counts(s["by_region"], "code") == {"410105": 8, "410103": 2}
    assert s["region_chart_parent"]["code"] == "410100"


def test_drill_down(client, city, cases, source):
    s = summary(client, city.city_sun, region="410105")
    assert s["kpi"]["total"] == 7
    # Children of Jinshui: its subdistricts, and the one case located at the district itself.
    assert counts(s["by_region"], "code") == {"410105001": 2, "410105002": 2, "410105004": 2, "": 1}
    assert [b["code"] for b in s["breadcrumbs"]] == ["410000", "410100", "410105"]
    s = summary(client, city.city_sun, region="410105002")
    assert s["kpi"]["total"] == 2 and counts(s["by_region"], "code") == {"": 2}
    # The province view for a city user: one child (the city), holding only their cases.
    s = summary(client, city.city_sun, region="410000")
    assert counts(s["by_region"], "code") == {"410105": 7, "410103": 2}
    # Jinshui fire looking at the city: only Jinshui has their cases, so its subdistricts are shown.
    s = summary(client, city.inspector_li, region="410100")
    assert s["region_chart_parent"]["code"] == "410105"
    assert counts(s["by_region"], "code") == {"410105001": 2, "410105002": 2, "410105004": 2, "": 1}


def test_filters(client, city, cases, source):
    s = summary(client, city.city_sun, grade="ungraded")
    assert s["kpi"]["total"] == 3
    s = summary(client, city.city_sun, **{"from": "2025-04", "to": "2025-04"})
    assert s["kpi"]["total"] == 4 and s["source"] == source
    s = summary(client, city.admin_chen, sector="industry_trade")
    assert s["kpi"]["total"] == 1
    # A day-precise range without a whole month: day cells for a city brigade (live without cells), exactly.
    s = summary(client, city.city_sun, **{"from": "2025-04-02", "to": "2025-04-03"})
    assert s["kpi"]["total"] == 2 and s["source"] == ("days" if source == "preaggregate" else "live")
    # A district brigade (a county-level area) too: day cells (the county level is held), exactly.
    s = summary(client, city.inspector_li, **{"from": "2025-04-02", "to": "2025-04-03"})
    assert s["source"] == ("days" if source == "preaggregate" else "live")
    assert s["kpi"]["total"] == Case.objects.filter(
        sector="fire", region_path__startswith="410000/410100/410105/",
        created_at__gte=at(2025, 4, 2, 0), created_at__lt=at(2025, 4, 4, 0)).count()
    s = summary(client, city.city_sun, interval="week", **{"from": "2025-03-01", "to": "2025-04-30"})
    assert sum(r["created"] for r in s["by_time"]) == 9
    assert all(dt.date.fromisoformat(r["period"]).weekday() == 0 for r in s["by_time"])


def test_refresh_counts_changes(client, city, cases, settings):
    stats.stats_rebuild()
    mk("410103002", "fire", "new", created=at(2025, 5, 1))
    Case.objects.filter(pk=cases["j7"].pk).update(updated_at=timezone.now())  # a service save touches it
    assert summary(client, city.city_sun)["kpi"]["total"] == 9  # stale until the refresh
    result = stats.stats_refresh()
    assert result["months"] >= 2
    s = summary(client, city.city_sun)
    assert s["kpi"]["total"] == 10 and s["source"] == "preaggregate"
    assert counts(s["by_region"], "code") == {"410105": 7, "410103": 3}


@pytest.mark.parametrize("params,field", [
    ({"region": "999999"}, "region"), ({"sector": "space"}, "sector"), ({"grade": "huge"}, "grade"),
    ({"from": "2025-13-01"}, "from"), ({"to": "yesterday"}, "to"), ({"from": "2025-05", "to": "2025-04"}, "from"),
    ({"interval": "day"}, "interval"), ({"colour": "red"}, "colour"),
    ({"interval": "week", "from": "2020-01-01", "to": "2025-01-01"}, "interval"),
])
def test_bad_input_is_400(client, city, params, field):
    r = get(client, city.city_sun, "/api/v1/stats/summary", **params)
    assert r.status_code == 400
    body = r.json()
    assert body["message"] and field in body["extra"]["fields"]
    assert get(client, city.city_sun, "/api/v1/stats/sector.csv", **params).status_code == 400


def test_access(client, city):
    assert client.get("/api/v1/stats/summary").status_code == 401
    assert get(client, city.reporter_wang, "/api/v1/stats/summary").status_code == 403
    client.logout()
    r = client.get("/dashboard/")
    assert r.status_code == 302 and "/staff/login/" in r["Location"]
    assert get(client, city.reporter_wang, "/dashboard/").status_code == 403
    assert get(client, city.city_sun, "/api/v1/stats/nothing.csv").status_code == 404


def test_csv_and_xlsx_downloads(client, city, cases, source):
    r = get(client, city.city_sun, "/api/v1/stats/region.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["region_code", "region", "count"]
    assert {row[0]: int(row[2]) for row in rows[1:]} == {"410105": 7, "410103": 2}
    assert "金水区" in r.content.decode("utf-8-sig")

    from openpyxl import load_workbook

    r = get(client, city.city_sun, "/api/v1/stats/overdue.xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    ws = load_workbook(io.BytesIO(r.content)).active
    values = list(ws.values)
    assert values[0][:2] == ("id", "reference")
    assert [v[1] for v in values[1:]] == [cases["j5"].reference, cases["j4"].reference]
    for chart in stats.CHARTS:
        for ext in ("csv", "xlsx"):
            assert get(client, city.city_sun, f"/api/v1/stats/{chart}.{ext}", sector="fire").status_code == 200
    r = get(client, city.city_sun, "/api/v1/stats/time.csv", **{"from": "2025-04", "to": "2025-04"})
    assert r.content.decode("utf-8-sig").splitlines()[1:] == ["2025-04,4,0"]


def test_dashboard_page(client, city, cases, source):
    r = get(client, city.city_sun, "/dashboard/", region="410105")
    assert r.status_code == 200
    html = r.content.decode()
    for chart in ("status", "sector", "grade", "region", "time", "categories"):
        assert f'id="chart-{chart}"' in html
        assert f"/api/v1/stats/{chart}.xlsx?region=410105" in html
    assert f'href="/staff/cases/{cases["j5"].pk}/"' in html
    assert "vendor/echarts/echarts.min.js" in html and 'id="dash-data"' in html
    assert "/dashboard/report.pdf?month=" in html
    r = get(client, city.city_sun, "/dashboard/", grade="nope")
    assert r.status_code == 400


def test_monthly_report_pdf(client, city, cases, source):
    r = get(client, city.city_sun, "/dashboard/report.pdf", month="2025-03")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_monthly_report_pdf_text(client, city, cases, settings):
    settings.HAZARDWATCH_STATS_SOURCE = "live"
    r = get(client, city.city_sun, "/dashboard/report.pdf", month="2025-03")
    assert r.content.startswith(b"%PDF")
    text = _pdf_text(r.content)
    assert "2025-03" in text
    assert get(client, city.city_sun, "/dashboard/report.pdf", month="March").status_code == 400
    assert get(client, city.city_sun, "/dashboard/report.pdf").status_code == 400


def test_monthly_report_pdf_through_the_api_with_a_key(client, city, cases, settings):
    """The same report under /api/v1/ with an API key; a bad month → 400 JSON; no key or session → 401."""
    from hazardwatch.apikeys.services import apikey_create

    settings.HAZARDWATCH_STATS_SOURCE = "live"
    _key, raw = apikey_create(name="bi", user=city.city_sun, organization=city.city_sun.memberships.first().organization)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = client.get("/api/v1/stats/report.pdf", {"month": "2025-03"}, **auth)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "2025-03" in _pdf_text(r.content)
    r = client.get("/api/v1/stats/report.pdf", {"month": "March"}, **auth)
    assert r.status_code == 400 and "message" in r.json()
    assert client.get("/api/v1/stats/report.pdf", {"month": "2025-03"}).status_code == 401


def _pdf_text(data: bytes) -> str:
    """The document title and any plain strings of the PDF (WeasyPrint compresses objects into streams)."""
    import re
    import zlib

    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            chunk = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        for hexstr in re.findall(rb"/Title\s*<feff([0-9a-fA-F]+)>", chunk):
            out.append(bytes.fromhex(hexstr.decode()).decode("utf-16-be"))
        for lit in re.findall(rb"/Title\s*\(([^)]*)\)", chunk):
            out.append(lit.decode("latin-1"))
    return "\n".join(out)


def test_median_from_histogram():
    assert stats.median_from_histogram({}) is None
    assert stats.median_from_histogram({3: 1}) == 3.0
    assert stats.median_from_histogram({1: 1, 5: 1}) == 3.0
    assert stats.median_from_histogram({2: 1, 91: 2}) == 91 + 90 * 0.25
    assert stats.day_bucket(60) == 60 and stats.day_bucket(61) == 61 and stats.day_bucket(100) == 91
    assert stats.day_bucket(400) == 366


def test_stats_command(cases):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("stats", "rebuild", stdout=out)
    assert "stats rebuild" in out.getvalue() and stats.stats_state().cases == 10
    call_command("stats", "refresh", stdout=out)
    assert "stats refresh" in out.getvalue()


def test_subtree_filter_selects_the_same_cases_as_the_path_prefix(city, cases):
    """Live counts with a date window add `region IN (subtree)` (an index path for SQLite): for every division of
    the fixture and several windows, the cases are exactly those under the region path."""
    mk("410105001", "fire", "new", created=at(2025, 3, 15))  # a township case next to the district ones
    assert Case.objects.filter(region_id="410105001").exists()
    windows = [("2025-01-01", "2025-12-31"), ("2025-03-10", "2025-03-20"), ("2024-01-01", "2025-02-28")]
    for division in Division.objects.all():
        for date_from, date_to in windows:
            f = stats.parse_filters({"from": date_from, "to": date_to})
            fast = set(stats.filtered_cases(city.admin_chen, division, f).values_list("pk", flat=True))
            plain = set(stats.filtered_cases(city.admin_chen, division, f, by_subtree=False)
                        .values_list("pk", flat=True))
            expected = {c.pk for c in Case.objects.all() if c.region_path.startswith(division.path)
                        and dt.date.fromisoformat(date_from) <= timezone.localtime(c.created_at).date()
                        <= dt.date.fromisoformat(date_to)}
            assert fast == plain == expected, (division.code, date_from)
