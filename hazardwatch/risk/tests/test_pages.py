"""Staff pages: lists with filters, the form (own organization only), Excel export, the map page."""
import io

import pytest
from openpyxl import load_workbook

from hazardwatch.risk import export, services
from hazardwatch.risk.models import RiskPoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def points(city, point_payload):
    made = [
        services.risk_point_create(actor=city.officer_liu, data=point_payload(name="喷漆房", l=6, e=6, c=15)),
        services.risk_point_create(actor=city.officer_liu, data=point_payload(name="叉车", l=1, e=6, c=7,
                                                                               accident_types=["vehicle"])),
        services.risk_point_create(actor=city.officer_liu, data=point_payload(
            name="配电", method="ls", l=3, s=4, e=None, c=None, control_level="team", accident_types=["electric_shock"])),
    ]
    return made


def test_enterprise_list_with_filters(client, city, points):
    client.force_login(city.officer_liu)
    r = client.get(f"/staff/risk/org/{city.enterprise.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count("data-point-id=") == 3 and "喷漆房" in html
    assert f"/staff/risk/org/{city.enterprise.pk}/new/" in html
    r = client.get(f"/staff/risk/org/{city.enterprise.pk}/?method=ls")
    assert r.content.decode().count("data-point-id=") == 1
    r = client.get(f"/staff/risk/org/{city.enterprise.pk}/?accident_type=vehicle")
    assert "叉车" in r.content.decode() and r.content.decode().count("data-point-id=") == 1
    r = client.get(f"/staff/risk/org/{city.enterprise.pk}/?level=major")
    assert r.content.decode().count("data-point-id=") == 1
    assert client.get("/staff/risk/").url == f"/staff/risk/org/{city.enterprise.pk}/"


def test_region_list_and_visibility(client, city, points):
    client.force_login(city.em_li)
    r = client.get("/staff/risk/region/410105/")
    assert r.status_code == 200 and r.content.decode().count("data-point-id=") == 3
    assert client.get("/staff/risk/region/410103/").status_code == 404  # another district
    assert client.get("/staff/risk/").url == "/staff/risk/region/410105/"
    client.force_login(city.erqi_wang)
    assert client.get(f"/staff/risk/org/{city.enterprise.pk}/").status_code == 404
    assert client.get(f"/staff/risk/points/{points[0].pk}/").status_code == 404
    assert client.get("/staff/risk/region/410105/").status_code == 404
    client.force_login(city.other_officer)
    assert client.get(f"/staff/risk/org/{city.enterprise.pk}/").status_code == 404
    assert client.get(f"/staff/risk/map/?org={city.enterprise.pk}").status_code == 404


def test_regulators_see_the_point_read_only(client, city, points):
    client.force_login(city.em_li)
    r = client.get(f"/staff/risk/points/{points[0].pk}/")
    assert r.status_code == 200
    assert "data-risk-form" not in r.content.decode()
    assert client.post(f"/staff/risk/points/{points[0].pk}/", {"name": "x"}).status_code == 403
    assert client.get(f"/staff/risk/org/{city.enterprise.pk}/new/").status_code == 403


def _form(**overrides):
    data = {"name": "锅炉房", "area": "动力车间", "activity": "燃气锅炉运行", "method": "lec", "l": "3", "e": "6",
            "c": "40", "factors_things": "燃气泄漏\n安全阀失效", "accident_types": ["boiler_explosion", "fire"],
            "control_level": "company", "measures_engineering": "燃气报警联锁切断", "responsible_person": "刘洋",
            "review_date": "2026-09-30", "zone": ""}
    data.update(overrides)
    return data


def test_enterprise_staff_create_and_edit_through_the_form(client, city):
    client.force_login(city.officer_liu)
    r = client.post(f"/staff/risk/org/{city.enterprise.pk}/new/", _form())
    assert r.status_code == 303, r.content.decode()[:2000]
    point = RiskPoint.objects.get(name="锅炉房")
    assert point.value == 720 and point.level == "major" and point.organization == city.enterprise
    assert point.hazard_factors == [{"category": "things", "description": "燃气泄漏"},
                                    {"category": "things", "description": "安全阀失效"}]
    r = client.get(f"/staff/risk/points/{point.pk}/")
    assert "data-risk-form" in r.content.decode()
    r = client.post(f"/staff/risk/points/{point.pk}/", _form(method="ls", ls_l="2", s="3", l="", e="", c=""))
    assert r.status_code == 303
    point.refresh_from_db()
    assert point.method == "ls" and point.value == 6 and point.level == "low"


def test_form_shows_service_errors_next_to_fields(client, city):
    client.force_login(city.officer_liu)
    bowtie = ('{"type":"Polygon","coordinates":[[[113.68,34.78],[113.681,34.781],[113.681,34.78],'
              '[113.68,34.781],[113.68,34.78]]]}')
    r = client.post(f"/staff/risk/org/{city.enterprise.pk}/new/", _form(e="", zone=bowtie))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-field="e"' in html and "Self-intersection" in html
    assert not RiskPoint.objects.exists()


def test_excel_export_has_the_rows(client, city, points):
    client.force_login(city.em_li)
    r = client.get("/staff/risk/region/410105/export.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "金水区"
    header, data = rows[1], rows[2:]
    assert len(data) == 3
    assert len(header) == 26
    assert sorted(row[11] for row in data) == [12, 42, 540]  # value column
    assert {row[2] for row in data} == {"喷漆房", "叉车", "配电"}
    r = client.get(f"/staff/risk/org/{city.enterprise.pk}/export.xlsx?method=ls")
    assert len(list(load_workbook(io.BytesIO(r.content)).active.iter_rows())) == 3


def test_too_large_export_is_refused_with_a_message(client, city, points, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 2)
    client.force_login(city.officer_liu)
    r = client.get(f"/staff/risk/org/{city.enterprise.pk}/export.xlsx")
    assert r.status_code == 400
    assert "data-risk-message" in r.content.decode()


def test_map_page_points_at_the_api(client, city, points):
    client.force_login(city.officer_liu)
    r = client.get("/staff/risk/map/")
    html = r.content.decode()
    assert r.status_code == 200 and f"/api/v1/risk/zones?org={city.enterprise.pk}" in html
    assert "vendor/leaflet/leaflet.js" in html and 'data-tile-url="' in html
    client.force_login(city.city_sun)
    r = client.get("/staff/risk/map/?region=410100")
    assert "/api/v1/risk/enterprises?region=410100" in r.content.decode()
    assert client.get("/staff/risk/map/?region=nope").status_code == 404
