"""Every error path: the standard's format and HTTP code in both formats, never a 500, nothing stored."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hazardwatch.apikeys.services import apikey_create, apikey_revoke
from hazardwatch.cases.models import Case
from hazardwatch.open311.models import Open311Request
from hazardwatch.open311.tests.helpers import BASE, JINSHUI, descriptions, get_both, parse_json, parse_xml, \
    post_both_error
from hazardwatch.reports.models import Report

pytestmark = pytest.mark.django_db

DESCRIPTION = "仓库里堆放大量油漆和稀释剂，没有通风"


@pytest.fixture
def api_key(db):
    return apikey_create(name="client")[1]


@pytest.fixture
def nothing_stored(db):
    yield
    assert Report.objects.count() == 0 and Case.objects.count() == 0 and Open311Request.objects.count() == 0


def valid(api_key, **extra):
    return {"api_key": api_key, "service_code": "escape_route", "description": DESCRIPTION,
            "attribute[exit_locked]": "yes", **JINSHUI, **extra}


def test_missing_and_invalid_api_key_are_403(client, api_key, nothing_stored):
    body = valid(api_key)
    body.pop("api_key")
    errors = post_both_error(client, "requests", body, 403)
    assert "api_key" in errors[0]["description"]
    post_both_error(client, "requests", {**body, "api_key": "hwk_nope_nope"}, 403)
    post_both_error(client, "requests", {**body, "api_key": ""}, 403)
    key, raw = apikey_create(name="old")
    apikey_revoke(key=key)
    post_both_error(client, "requests", {**body, "api_key": raw}, 403)


@pytest.mark.parametrize("change, status, expected", [
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "no_such"}, 404, "no_such"),
    ({"jurisdiction_id": "sfgov.org"}, 404, "sfgov.org"),
    ({"lat": "", "long": ""}, 400, "lat"),
    ({"lat": "", "long": "", "address_string": "金水路1号"}, 400, "address_string"),
    ({"lat": "", "long": "", "address_id": "123"}, 400, "address_id"),
    ({"long": ""}, 400, "lat"),
    ({"lat": "north"}, 400, "lat"),
    ({"lat": "95"}, 400, "lat"),
    ({"lat": "nan"}, 400, "lat"),
    ({"lat": "40.7", "long": "-74.0"}, 400, "lat/long"),  # outside the area served
    ({"attribute[exit_locked]": ""}, 400, "exit_locked required"),
    ({"attribute[exit_locked]": "maybe"}, 400, "exit_locked"),
    ({"attribute[exit_locked][]": ["yes", "no"], "attribute[exit_locked]": ""}, 400, "exit_locked"),
    ({"attribute[place_type]": "castle"}, 400, "place_type"),
    ({"attribute[coordinate_system]": "mars"}, 400, "coordinate_system"),
    ({"description": "x" * 4001}, 400, "4000"),
    ({"description": "x" * 2500}, 400, "description"),  # the intake's own limit
    ({"description": ""}, 400, "description"),
    ({"phone": "12345"}, 400, "phone"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
])
def test_invalid_posts_name_the_problem_and_store_nothing(client, api_key, nothing_stored, change, status,
                                                          expected):
    body = {k: v for k, v in {**valid(api_key), **change}.items()}
    errors = post_both_error(client, "requests", body, status)
    assert expected in descriptions(errors), errors


@pytest.mark.parametrize("service, attribute, value", [
    ("ebike_charging", "ebike_count", "three"),
    ("ebike_charging", "ebike_count", "inf"),
    ("construction", "noticed_at", "yesterday"),
    ("construction", "noticed_at", "2026-05-01T08:30:00"),  # no time zone
    ("hazardous_chemicals", "chemical_name", "two\nlines"),
    ("building", "details", "x" * 2001),
    ("fire_equipment", "equipment", "toaster"),
    ("hotline_transfer", "hazard_kind", "volcano"),
])
def test_attributes_of_the_wrong_type_are_400(client, api_key, nothing_stored, service, attribute, value):
    body = {**valid(api_key, service_code=service), f"attribute[{attribute}]": value}
    if service == "hotline_transfer" and attribute != "hazard_kind":
        body["attribute[hazard_kind]"] = "gas"
    errors = post_both_error(client, "requests", body, 400)
    assert attribute in descriptions(errors)


def test_several_problems_are_listed_together(client, api_key, nothing_stored):
    body = valid(api_key, lat="", long="", media_url="ftp://x")
    body.pop("attribute[exit_locked]")
    errors = post_both_error(client, "requests", body, 400)
    assert len(errors) == 3


def test_wrong_content_types_and_malformed_bodies_are_400(client, api_key, nothing_stored):
    url = f"{BASE}requests"
    for fmt in ("json", "xml"):
        for content_type, body in (("application/json", '{"service_code": "gas"}'),
                                   ("text/xml", "<request><service_code>gas</service_code>"),
                                   ("text/plain", "service_code=gas"),
                                   ("multipart/form-data", "--x\r\nbroken"),
                                   ("multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: bad\r\n"),
                                   ("application/x-www-form-urlencoded; charset=klingon", "a=b")):
            response = client.generic("POST", f"{url}.{fmt}?api_key={api_key}", data=body.encode(),
                                      content_type=content_type)
            assert response.status_code in (400, 403), (content_type, response.status_code, response.content)
            data = parse_json(response) if fmt == "json" else None
            if fmt == "xml":
                assert parse_xml(response).tag == "errors"
            else:
                assert data[0]["code"] == response.status_code


def test_oversized_bodies_are_400(client, api_key, nothing_stored, settings):
    from urllib.parse import urlencode

    body = urlencode(valid(api_key, description="x" * 300_000))
    response = client.post(f"{BASE}requests.xml", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and parse_xml(response).find("error/code").text == "400"
    response = client.post(f"{BASE}requests.json", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and parse_json(response)[0]["code"] == 400
    settings.HAZARDWATCH_MAX_PHOTOS = 1
    settings.HAZARDWATCH_MAX_PHOTO_BYTES = 1000
    big = SimpleUploadedFile("p.jpg", b"\xff" * 1_100_000, "image/jpeg")
    response = client.post(f"{BASE}requests.json", {**valid(api_key), "media": big})
    assert response.status_code == 400 and parse_json(response)[0]["code"] == 400


def test_files_to_a_batch_service_and_bad_photos_are_400(client, api_key, nothing_stored, make_jpeg):
    body = valid(api_key, service_code="hotline_transfer", **{"attribute[hazard_kind]": "gas"})
    body["media"] = SimpleUploadedFile("p.jpg", make_jpeg(), "image/jpeg")
    response = client.post(f"{BASE}requests.json", body)
    assert response.status_code == 400 and "media_url" in parse_json(response)[0]["description"]
    body = valid(api_key, media=SimpleUploadedFile("p.jpg", b"not an image", "image/jpeg"))
    response = client.post(f"{BASE}requests.xml", body)
    assert response.status_code == 400 and parse_xml(response).find("error/code").text == "400"


def test_rate_limit_per_key_is_429_in_the_standard_format(client, api_key, settings):
    settings.HAZARDWATCH_RATE_DEVICE = "1/3600"
    assert client.post(f"{BASE}requests.json", valid(api_key)).status_code == 200
    response = client.post(f"{BASE}requests.xml", valid(api_key))
    assert response.status_code == 429 and response["Retry-After"]
    assert parse_xml(response).find("error/code").text == "429"
    assert Report.objects.count() == 1


@pytest.mark.parametrize("path, status", [
    ("services", 400), ("services.csv", 400), ("services.XML", 200), ("requests.html", 400), ("discovery.txt", 400),
    ("nothing.json", 404), ("nothing.xml", 404), ("", 404), ("services/gas/extra.json", 404),
    ("requests/a/b.json", 404), ("services/.json", 404), ("tokens/.json", 404), (".json", 404),
    ("requests/..json", 404), ("tokens/abc.json", 404), ("requests/abc.json", 404),
    ("requests/00000000-0000-0000-0000-000000000000.json", 404), ("x" * 3000 + ".json", 404),
    ("services/%00.json", 404), ("services/%01.xml", 404), ("services/%E6%B6%88.xml", 404),
    ("tokens/%EF%BF%BE.xml", 404),
])
def test_unknown_paths_and_suffixes_get_the_standards_error(client, path, status):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == status, (path, response.status_code, response.content[:200])
    if status != 200:
        if path.endswith(".json"):
            assert parse_json(response)[0]["code"] == status
        else:
            root = parse_xml(response)  # no usable suffix: XML
            assert root.tag == "errors" and root.find("error/code").text == str(status)


@pytest.mark.parametrize("query, expected", [
    ("start_date=yesterday", "start_date"),
    ("end_date=2026-13-45T00:00:00Z", "end_date"),
    ("start_date=2026-05-01T00:00:00", "start_date"),  # no time zone
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "90"),
    ("start_date=2026-05-01T00:00:00Z&end_date=2026-04-01T00:00:00Z", "end_date"),
    ("status=pending", "status"),
    ("status=,", "status"),
    ("service_code=no_such", "no_such"),
    ("page=0", "page"),
    ("page_size=1001", "page_size"),
    ("page_size=ten", "page_size"),
    ("service_request_id=" + ",".join(["a"] * 201), "200"),
])
def test_bad_search_arguments_are_400_or_404(client, query, expected):
    status = 404 if "no_such" in query else 400
    errors, _ = get_both(client, "requests", query, status=status)
    assert expected in descriptions(errors)


def test_wrong_methods_are_400_with_allow(client):
    for method, path in (("put", "requests.json"), ("delete", "services.json"), ("post", "services.xml"),
                         ("post", "requests/abc.json"), ("patch", "tokens/x.json")):
        response = getattr(client, method)(f"{BASE}{path}")
        assert response.status_code == 400, (method, path, response.status_code)
        assert response["Allow"]


def test_an_unexpected_failure_is_a_400_error_not_a_500(client, monkeypatch):
    from hazardwatch.open311 import services

    def boom():
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "services_doc", boom)
    data, _ = get_both(client, "services", status=400)
    assert data == [{"code": 400, "description": data[0]["description"]}]


def test_a_key_sent_with_a_get_is_ignored(client):
    get_both(client, "services", "api_key=hwk_nonsense")


def test_control_characters_echoed_back_stay_well_formed(client, city, api_key):
    response = client.post(f"{BASE}requests.xml", valid(api_key, account_id="a\x01b\x1fc"))
    assert response.status_code == 200 and parse_xml(response).find("request/account_id").text == "abc"


def test_too_many_fields_is_400(client, api_key, nothing_stored):
    body = "&".join(f"attribute[x{i}]=1" for i in range(1200)) + f"&api_key={api_key}"
    response = client.post(f"{BASE}requests.json", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and parse_json(response)[0]["code"] == 400
