"""The risk list through HTTP: grading at band boundaries, bad input, the red rule, visibility, audit."""
import json

import pytest

from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.risk import services
from hazardwatch.risk.models import RiskBand, RiskPoint
from hazardwatch.risk.tests.conftest import SITE

pytestmark = pytest.mark.django_db
API = "/api/v1/risk"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def liu(client, city):
    client.force_login(city.officer_liu)
    return client


@pytest.mark.parametrize(("l", "e", "c", "value", "level"), [
    (10, 10, 100, 10000, "major"),
    (3, 6, 40, 720, "major"),
    (1, 10, 40, 400, "major"),
    (0.5, 10, 100, 500, "major"),
    (1, 2, 100, 200, "high"),
    (1, 6, 40, 240, "high"),
    (10, 1, 15, 150, "general"),
    (1, 10, 7, 70, "general"),     # 70 is the lower edge of yellow
    (3, 3, 7, 63, "low"),
    (0.1, 0.5, 1, 0.05, "low"),
])
def test_lec_scores_are_graded_by_the_bands(liu, point_payload, l, e, c, value, level):
    r = post(liu, f"{API}/points", point_payload(l=l, e=e, c=c))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["value"] == pytest.approx(value)
    assert body["level"] == level
    assert body["colour"] == {"major": "red", "high": "orange", "general": "yellow", "low": "blue"}[level]


def test_lec_band_edges_are_inclusive_below_exclusive_above():
    # Products exactly on an edge: 320 = 2 × ... is not reachable by the scales, so check the bands directly.
    from decimal import Decimal

    assert services.risk_level_for("lec", Decimal("320")) == "major"
    assert services.risk_level_for("lec", Decimal("319.999")) == "high"
    assert services.risk_level_for("lec", Decimal("160")) == "high"
    assert services.risk_level_for("lec", Decimal("159.9")) == "general"
    assert services.risk_level_for("lec", Decimal("70")) == "general"
    assert services.risk_level_for("lec", Decimal("69.99")) == "low"
    assert RiskBand.objects.filter(method="lec").count() == 4  # created from bands.yaml on first use


@pytest.mark.parametrize(("l", "s", "level"), [
    (5, 5, "major"), (4, 5, "major"), (5, 4, "major"),
    (3, 5, "high"), (4, 4, "high"),
    (4, 3, "general"), (3, 3, "general"),
    (2, 4, "low"), (1, 1, "low"),
])
def test_ls_scores_are_graded_by_the_bands(liu, point_payload, l, s, level):
    r = post(liu, f"{API}/points", point_payload(method="ls", l=l, s=s, e=None, c=None))
    assert r.status_code == 201, r.content
    assert r.json()["value"] == l * s
    assert r.json()["level"] == level


def test_bands_are_data_editable_without_code(liu, point_payload):
    services.risk_bands("ls")
    RiskBand.objects.filter(method="ls", level="major").update(min_value=17)
    RiskBand.objects.filter(method="ls", level="high").update(max_value=17)
    # 4 × 4 = 16 is still orange, but a band edit to 17–25 red leaves it there; 16 → red under 16–25:
    RiskBand.objects.filter(method="ls", level="major").update(min_value=16)
    RiskBand.objects.filter(method="ls", level="high").update(max_value=16)
    r = post(liu, f"{API}/points", point_payload(method="ls", l=4, s=4, e=None, c=None))
    assert r.json()["level"] == "major"


@pytest.mark.parametrize(("overrides", "fields"), [
    ({"l": 4}, ["l"]),
    ({"e": 7}, ["e"]),
    ({"c": 50}, ["c"]),
    ({"l": "abc"}, ["l"]),
    ({"l": None}, ["l"]),
    ({"method": "ls", "l": 6, "s": 0, "e": None, "c": None}, ["l", "s"]),
    ({"method": "ls", "l": 2.5, "s": 3, "e": None, "c": None}, ["l"]),
    ({"method": "ls", "l": 2, "s": 3}, ["e", "c"]),  # LEC scores sent with LS
    ({"method": "hazop"}, ["method"]),
    ({"control_level": "ceo"}, ["control_level"]),
    ({"accident_types": ["fire", "meteor"]}, ["accident_types"]),
    ({"hazard_factors": [{"category": "luck", "description": "x"}]}, ["hazard_factors"]),
    ({"review_date": "next spring"}, ["review_date"]),
    ({"name": ""}, ["name"]),
])
def test_bad_fields_are_refused_with_field_errors(liu, point_payload, overrides, fields):
    r = post(liu, f"{API}/points", point_payload(**overrides))
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["message"] == str(services.RISK_POINT_INVALID)
    assert sorted(body["extra"]["fields"]) == sorted(fields)
    assert not RiskPoint.objects.exists()


BOWTIE = {"type": "Polygon", "coordinates": [[[113.68, 34.78], [113.681, 34.781], [113.681, 34.78],
                                               [113.68, 34.781], [113.68, 34.78]]]}


@pytest.mark.parametrize(("zone", "needle"), [
    (BOWTIE, "Self-intersection"),
    ({"type": "Polygon", "coordinates": [[[113.68, 34.78], [113.681, 34.78], [113.681, 34.781]]]}, "at least 4"),
    ({"type": "Polygon", "coordinates": [[[113.68, 34.78], [113.681, 34.78], [113.681, 34.781], [113.68, 34.781]]]},
     "closed"),
    ({"type": "Point", "coordinates": [113.68, 34.78]}, "GeoJSON Polygon"),
    ("not-json", "GeoJSON Polygon"),
    ({"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]},
     "outside the service area"),
    ({"type": "Polygon", "coordinates": [[["a", 34.78], [113.681, 34.78], [113.681, 34.781], ["a", 34.78]]]},
     "finite numbers"),
    ({"type": "Polygon", "coordinates": [[[113.68 + 0.0001 * i, 34.78 + 0.00001 * (i % 2)] for i in range(600)]
                                         + [[113.74, 34.79], [113.68, 34.78]]]}, "more than 500"),
])
def test_bad_zone_polygons_are_refused(liu, point_payload, zone, needle):
    liu.cookies["django_language"] = "en"  # the messages are compared in English
    r = post(liu, f"{API}/points", point_payload(zone=zone))
    assert r.status_code == 400, r.content
    assert list(r.json()["extra"]["fields"]) == ["zone"]
    assert needle in r.json()["extra"]["fields"]["zone"][0]


def test_malformed_json_body_is_a_400_not_a_500(liu):
    r = liu.post(f"{API}/points", "{not json", content_type="application/json")
    assert r.status_code == 400


def test_update_regrades_and_is_audited(liu, point_payload):
    pid = post(liu, f"{API}/points", point_payload()).json()["id"]
    r = patch(liu, f"{API}/points/{pid}", {"l": 10})
    assert r.status_code == 200, r.content
    assert r.json()["value"] == 900 and r.json()["level"] == "major"
    r = patch(liu, f"{API}/points/{pid}", {"method": "ls", "l": 2, "s": 2, "e": None, "c": None})
    assert r.json()["level"] == "low"
    r = patch(liu, f"{API}/points/{pid}", {"zone": BOWTIE})
    assert r.status_code == 400
    actions = list(AuditEntry.objects.filter(object_type="risk.RiskPoint", object_id=str(pid))
                   .values_list("action", flat=True))
    assert actions == ["risk_point.create", "risk_point.update", "risk_point.update"]
    change = AuditEntry.objects.filter(action="risk_point.update").first().payload["changed"]
    assert change["l"] == [3.0, 10.0] and change["level"] == ["high", "major"]
    assert liu.delete(f"{API}/points/{pid}").status_code == 204
    assert AuditEntry.objects.filter(action="risk_point.delete", object_id=str(pid)).exists()
    assert audit_verify().ok


def test_open_major_hazard_forces_red_until_it_closes(liu, client, city, point_payload, major_case):
    pid = post(liu, f"{API}/points", point_payload(l=1, e=2, c=7)).json()["id"]  # 14 → blue
    assert liu.get(f"{API}/points/{pid}").json()["effective_level"] == "low"
    r = post(liu, f"{API}/points/{pid}/cases", {"case_id": major_case.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == "low" and body["effective_level"] == "major" and body["forced_red"] is True
    assert body["effective_colour"] == "red"
    assert post(liu, f"{API}/points/{pid}/cases", {"case_id": major_case.pk}).status_code == 409
    assert [p["id"] for p in liu.get(f"{API}/points?level=major").json()["items"]] == [pid]
    assert liu.get(f"{API}/points?level=low").json()["count"] == 0
    zones = liu.get(f"{API}/zones?org={city.enterprise.pk}").json()
    assert zones["features"][0]["properties"]["colour"] == "red"

    major_case.status = "closed"
    major_case.save()
    body = liu.get(f"{API}/points/{pid}").json()
    assert body["effective_level"] == "low" and body["forced_red"] is False
    assert liu.get(f"{API}/zones?org={city.enterprise.pk}").json()["features"][0]["properties"]["colour"] == "blue"
    assert AuditEntry.objects.filter(action="risk_point.link_case", object_id=str(pid)).exists()

    assert liu.delete(f"{API}/points/{pid}/cases/{major_case.pk}").status_code == 200
    assert AuditEntry.objects.filter(action="risk_point.unlink_case", object_id=str(pid)).exists()


def test_a_general_hazard_does_not_force_red(liu, point_payload, major_case):
    major_case.grade, major_case.criterion_item = "general", ""
    major_case.save()
    pid = post(liu, f"{API}/points", point_payload(l=1, e=2, c=7)).json()["id"]
    assert post(liu, f"{API}/points/{pid}/cases", {"case_id": major_case.pk}).json()["effective_level"] == "low"


def test_visibility_by_organization_and_jurisdiction(client, city, point_payload):
    client.force_login(city.officer_liu)
    pid = post(client, f"{API}/points", point_payload()).json()["id"]

    client.force_login(city.other_officer)  # another enterprise
    assert client.get(f"{API}/points/{pid}").status_code == 404
    assert client.get(f"{API}/points").json()["count"] == 0
    assert patch(client, f"{API}/points/{pid}", {"l": 10}).status_code == 404
    assert client.get(f"{API}/zones?org={city.enterprise.pk}").status_code == 404
    r = post(client, f"{API}/points", point_payload())  # registering for someone else's organization
    assert r.status_code == 403

    client.force_login(city.erqi_wang)  # another district's regulator
    assert client.get(f"{API}/points/{pid}").status_code == 404
    assert client.get(f"{API}/enterprises?region=410103").json()["features"] == []

    for regulator in (city.em_li, city.inspector_li, city.city_sun):  # Jinshui (any sector) and the city
        client.force_login(regulator)
        assert client.get(f"{API}/points/{pid}").status_code == 200
        r = patch(client, f"{API}/points/{pid}", {"l": 10})
        assert r.status_code == 403  # regulators read only
        assert r.json()["message"] == str(services.RISK_POINT_READ_ONLY)

    client.force_login(city.admin_chen)
    assert patch(client, f"{API}/points/{pid}", {"l": 10}).status_code == 200


def test_anonymous_users_get_401(client):
    assert client.get(f"{API}/points").status_code == 401


def test_enterprise_scale_geojson_groups_zones_by_highest_level(liu, city, point_payload):
    from hazardwatch.risk.geometry import rectangle

    shared = rectangle(*SITE, 80, 50)
    post(liu, f"{API}/points", point_payload(name="叉车作业", area="装卸区", zone=shared, l=1, e=6, c=7))  # 42 blue
    post(liu, f"{API}/points", point_payload(name="登高作业", area="装卸区", zone=shared, l=3, e=6, c=15))  # 270 orange
    post(liu, f"{API}/points", point_payload(name="配电房", area="配电房", zone=rectangle(*SITE, 20, 20, dx_m=120),
                                             l=1, e=10, c=7))  # 70 yellow
    post(liu, f"{API}/points", point_payload(name="巡检", area="", zone=None, lat=34.7805, lon=113.6805,
                                             method="ls", l=1, s=2, e=None, c=None))
    fc = liu.get(f"{API}/zones?org={city.enterprise.pk}").json()
    assert fc["type"] == "FeatureCollection"
    zones = [f for f in fc["features"] if f["properties"]["kind"] == "zone"]
    points = [f for f in fc["features"] if f["properties"]["kind"] == "point"]
    assert len(zones) == 2 and len(points) == 1
    loading = next(f for f in zones if f["properties"]["area"] == "装卸区")
    assert loading["geometry"]["type"] == "Polygon"
    assert loading["properties"]["level"] == "high" and loading["properties"]["colour"] == "orange"
    assert [p["name"] for p in loading["properties"]["points"]] == ["登高作业", "叉车作业"]
    assert fc["features"][-1]["properties"]["level"] == "high"  # most serious drawn last (on top)
    assert points[0]["geometry"] == {"type": "Point", "coordinates": [113.6805, 34.7805]}
    assert fc["properties"]["counts"] == {"major": 0, "high": 1, "general": 1, "low": 2}


def test_regional_scale_colours_enterprises_and_overlays_major_hazards(client, city, point_payload, major_case):
    client.force_login(city.officer_liu)
    post(client, f"{API}/points", point_payload(l=1, e=6, c=7))
    post(client, f"{API}/points", point_payload(l=6, e=6, c=15, name="喷漆"))  # 540 red
    client.force_login(city.em_li)
    fc = client.get(f"{API}/enterprises?region=410105").json()
    assert len(fc["features"]) == 1
    props = fc["features"][0]["properties"]
    assert props["kind"] == "organization" and props["id"] == city.enterprise.pk and props["colour"] == "red"
    assert props["counts"]["major"] == 1 and props["points"] == 2
    hazards = client.get(f"{API}/major-hazards?region=410105").json()
    assert [f["properties"]["reference"] for f in hazards["features"]] == [major_case.reference]
    assert client.get(f"{API}/enterprises?region=999999").status_code == 404
    assert client.get(f"{API}/enterprises?region=410105&colour=red").status_code == 400
    assert client.get(f"{API}/major-hazards").status_code == 400


def test_list_filters(liu, point_payload):
    post(liu, f"{API}/points", point_payload(name="a", accident_types=["fire"], review_date="2020-01-01"))
    post(liu, f"{API}/points", point_payload(name="b", accident_types=["drowning"], method="ls", l=1, s=1, e=None,
                                             c=None, control_level="post"))
    names = lambda q: [p["name"] for p in liu.get(f"{API}/points?{q}").json()["items"]]  # noqa: E731
    assert names("accident_type=fire") == ["a"]
    assert names("method=ls") == ["b"]
    assert names("control_level=post") == ["b"]
    assert names("overdue=true") == ["a"]
    assert names("level=high") == ["a"]
    assert liu.get(f"{API}/points?level=purple").status_code == 400
    assert liu.get(f"{API}/points?bogus=1").status_code == 400


def test_load_bands_command_replaces_bands(tmp_path):
    from django.core.management import call_command

    f = tmp_path / "bands.yaml"
    f.write_text("ls:\n  - {level: major, min: 17, max: null}\n  - {level: high, min: 10, max: 17}\n"
                 "  - {level: general, min: 5, max: 10}\n  - {level: low, min: 1, max: 5}\n")
    call_command("risk", "load-bands", "--file", str(f))
    assert RiskBand.objects.get(method="ls", level="major").min_value == 17
    assert services.risk_level_for("ls", 16) == "high"
    call_command("risk", "load-bands")
    assert RiskBand.objects.count() == 8
