"""The zone and location fields of the risk point form over HTTP: what the drawing tool (or a paste under
"Advanced") posts, the server's checks (clear 400, nothing stored, nothing audited), and the page set-up
the drawing script reads (tile CRS, map centre, the stored zone)."""
import json

import pytest

from hazardwatch.core.models import AuditEntry
from hazardwatch.risk import services
from hazardwatch.risk.forms import ZONE_MAX_CHARS
from hazardwatch.risk.geometry import rectangle
from hazardwatch.risk.models import RiskPoint
from hazardwatch.risk.tests.conftest import SITE

pytestmark = pytest.mark.django_db

BOWTIE = {"type": "Polygon", "coordinates": [[[113.68, 34.78], [113.681, 34.781], [113.681, 34.78],
                                               [113.68, 34.781], [113.68, 34.78]]]}
SQUARE = rectangle(*SITE, 50, 50)


def _form(**overrides):
    data = {"name": "锅炉房", "area": "动力车间", "method": "lec", "l": "3", "e": "6", "c": "40",
            "control_level": "company", "responsible_person": "刘洋", "zone": "", "lat": "", "lon": ""}
    data.update(overrides)
    return data


@pytest.fixture
def liu(client, city):
    from hazardwatch.accounts.models import Organization

    Organization.objects.filter(pk=city.enterprise.pk).update(lat=SITE[0], lon=SITE[1])
    client.force_login(city.officer_liu)
    client.cookies["django_language"] = "en"
    return client


def _many_vertices(n):
    ring = [[113.68 + 0.00001 * i, 34.78 + 0.000001 * (i % 2)] for i in range(n)] + [[113.68, 34.79]]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


@pytest.mark.parametrize(("zone", "needle"), [
    (json.dumps(BOWTIE), "Self-intersection"),
    (json.dumps(_many_vertices(501)), "more than 500 vertices"),
    (json.dumps({"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}),
     "outside the service area"),
    (json.dumps(rectangle(*SITE, 9000, 9000)), "larger than 50 km²"),
    ("{not json", "GeoJSON Polygon"),
    ("[" * 5000 + "]" * 5000, "GeoJSON Polygon"),  # nesting deep enough to overflow the JSON parser
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": SQUARE, "properties": {}}] * 2}), "exactly one Polygon feature"),
    (json.dumps({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}), "GeoJSON Polygon"),
    (json.dumps({"type": "Polygon", "coordinates": [[[113.68, 34.78], [113.681, 34.78], [113.681, 34.781]]]}),
     "at least 4"),
    (json.dumps({"type": "Polygon", "coordinates": [[[113.68, 34.78], [1e400, 34.78], [113.681, 34.781],
                                                     [113.68, 34.78]]]}).replace("Infinity", "1e999"),
     "finite numbers"),
    ('{"type": "Polygon", "coordinates": [' + " " * ZONE_MAX_CHARS + "]}", f"at most {ZONE_MAX_CHARS} characters"),
])
def test_bad_drawn_or_pasted_zones_are_refused(liu, city, zone, needle):
    r = liu.post(f"/staff/risk/org/{city.enterprise.pk}/new/", _form(zone=zone))
    assert r.status_code == 400
    html = r.content.decode()
    assert needle in html
    assert "data-zone-advanced open" in html  # the fallback opens to show the message next to the text
    assert not RiskPoint.objects.exists()


@pytest.mark.parametrize(("lat", "lon", "needle"), [
    ("48.85", "2.35", "inside the service area"),
    ("34.78", "", "both latitude and longitude"),
    ("", "113.68", "both latitude and longitude"),
    ("nan", "113.68", "Enter a number"),
    ("34.78", "inf", "Enter a number"),
    ("north", "113.68", "Enter a number"),
])
def test_bad_locations_are_refused(liu, city, lat, lon, needle):
    r = liu.post(f"/staff/risk/org/{city.enterprise.pk}/new/", _form(lat=lat, lon=lon))
    assert r.status_code == 400
    assert needle in r.content.decode()
    assert not RiskPoint.objects.exists()


def test_a_bad_zone_on_edit_changes_nothing(liu, city, point_payload):
    point = services.risk_point_create(actor=city.officer_liu, data=point_payload(zone=SQUARE))
    before = AuditEntry.objects.count()
    r = liu.post(f"/staff/risk/points/{point.pk}/", _form(zone=json.dumps(BOWTIE)))
    assert r.status_code == 400 and "Self-intersection" in r.content.decode()
    point.refresh_from_db()
    assert point.zone == SQUARE and point.name == "危化品仓库"
    assert AuditEntry.objects.count() == before


def test_drawn_zone_location_and_paste_are_stored(liu, city):
    # A zone as the drawing tool writes it: the point's location becomes a point inside it.
    r = liu.post(f"/staff/risk/org/{city.enterprise.pk}/new/", _form(zone=json.dumps(SQUARE)))
    assert r.status_code == 303, r.content.decode()[:3000]
    point = RiskPoint.objects.get()
    assert point.zone == SQUARE
    assert abs(point.lat - SITE[0]) < 0.0003 and abs(point.lon - SITE[1]) < 0.0003

    # Replace it by a location (the marker tool): the zone goes, the location is stored as given.
    r = liu.post(f"/staff/risk/points/{point.pk}/", _form(lat="34.7812345", lon="113.6823456"))
    assert r.status_code == 303
    point.refresh_from_db()
    assert point.zone is None and (point.lat, point.lon) == (34.7812345, 113.6823456)
    change = AuditEntry.objects.filter(action="risk_point.update", object_id=str(point.pk)).latest("pk")
    assert change.payload["changed"]["zone"][1] is None

    # The edit page offers it back to the map: lat/lon filled, zone empty.
    html = liu.get(f"/staff/risk/points/{point.pk}/").content.decode()
    assert 'value="34.7812345"' in html and 'value="113.6823456"' in html

    # Nothing drawn: the organization's location.
    r = liu.post(f"/staff/risk/points/{point.pk}/", _form())
    point.refresh_from_db()
    assert r.status_code == 303 and point.zone is None and (point.lat, point.lon) == SITE

    # A GeoJSON FeatureCollection pasted under "Advanced" (as exported by common tools) is stored as a Polygon.
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A"},
                                                     "geometry": SQUARE}]}
    r = liu.post(f"/staff/risk/points/{point.pk}/", _form(zone=json.dumps(fc)))
    point.refresh_from_db()
    assert r.status_code == 303 and point.zone == SQUARE


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_form_pages_set_up_the_drawing_map(liu, city, point_payload, settings, crs):
    settings.HAZARDWATCH_TILE_CRS = crs
    html = liu.get(f"/staff/risk/org/{city.enterprise.pk}/new/").content.decode()
    assert "data-zone-draw" in html and f'data-tile-crs="{crs}"' in html
    assert f'data-center="{SITE[0]:.7f},{SITE[1]:.7f}"' in html  # the enterprise, in WGS-84 (shifted by the script)
    assert "vendor/leaflet-geoman/leaflet-geoman.min.js" in html and "risk_zone_draw.js" in html
    assert "<details class=\"risk-advanced\" data-zone-advanced>" in html  # collapsed by default
    point = services.risk_point_create(actor=city.officer_liu, data=point_payload(zone=SQUARE))
    html = liu.get(f"/staff/risk/points/{point.pk}/").content.decode()
    assert json.dumps(SQUARE["coordinates"][0][0]).replace(" ", "") in html.replace(" ", "")  # stored zone
    assert "data-zone-draw" in html


def test_read_only_viewers_get_no_drawing_tool(client, city, point_payload):
    point = services.risk_point_create(actor=city.officer_liu, data=point_payload(zone=SQUARE))
    client.force_login(city.em_li)
    html = client.get(f"/staff/risk/points/{point.pk}/").content.decode()
    # a map, but read-only: no Leaflet-Geoman, no form fields (test_point_readonly_map.py shows it in Chromium)
    assert "data-zone-draw data-readonly" in html and "leaflet-geoman" not in html
    assert "data-risk-form" not in html and 'name="zone"' not in html
