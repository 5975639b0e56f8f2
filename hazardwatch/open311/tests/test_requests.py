"""Posting and following requests as a client that knows only the standard; the same intake as the web form."""
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazardwatch.apikeys.services import apikey_create
from hazardwatch.cases.models import Case
from hazardwatch.open311.models import Open311Request, RequestState
from hazardwatch.open311.tests.helpers import BASE, JINSHUI, get_both, parse_json, parse_xml
from hazardwatch.reports.models import Report, ReporterIdentity

pytestmark = pytest.mark.django_db

DESCRIPTION = "小区地下车库消防通道被杂物堵塞，安全出口上锁"


@pytest.fixture
def api_key(db):
    _key, raw = apikey_create(name="civic client")
    return raw


def post(client, fmt="json", **fields):
    return client.post(f"{BASE}requests.{fmt}", fields)


def act(client, user, case, action, **data):
    client.force_login(user)
    resp = client.post(f"/api/v1/cases/{case.pk}/transitions", data=json.dumps({"action": action, **data}),
                       content_type="application/json")
    assert resp.status_code == 200, (action, resp.content)
    client.logout()


def close_case(client, city, case, make_jpeg):
    act(client, city.inspector_li, case, "accept", note="现场核实属实")
    act(client, city.inspector_li, case, "grade", grade="general")
    act(client, city.inspector_li, case, "assign", responsible_unit_id=city.enterprise.pk)
    act(client, city.officer_liu, case, "start")
    client.force_login(city.officer_liu)
    resp = client.post(f"/api/v1/cases/{case.pk}/evidence",
                       {"note": "已清理杂物", "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})
    assert resp.status_code == 200, resp.content
    client.logout()
    act(client, city.inspector_li, case, "approve", note="复查合格")


def test_standard_client_lists_reads_definition_posts_and_follows_to_closed(client, city, api_key, make_jpeg,
                                                                          on_commit):
    services, _ = get_both(client, "services")
    service = next(s for s in services if s["type"] == "realtime" and s["metadata"])
    definition, _ = get_both(client, f"services/{service['service_code']}")
    fields = {"api_key": api_key, "jurisdiction_id": "hazardwatch.example", "service_code": service["service_code"],
              "description": DESCRIPTION, **JINSHUI}
    for attr in definition["attributes"]:
        if attr["required"]:
            fields[f"attribute[{attr['code']}]"] = attr["values"][0]["key"]
    with on_commit(execute=True):
        response = post(client, **fields)
    assert response.status_code == 200, response.content
    (answer,) = parse_json(response)
    request_id = answer["service_request_id"]
    assert isinstance(request_id, str) and request_id and "token" not in answer
    assert "HW" in answer["service_notice"]  # the case reference and the reporter's receipt code

    (item,), _ = get_both(client, f"requests/{request_id}")
    assert item["status"] == "open" and item["service_code"] == service["service_code"]
    assert item["updated_datetime"] is None
    report = Report.objects.get(public_id=request_id)
    assert report.source == "api" and report.case.regulator == city.jinshui_fire  # routed like the web form
    assert report.description.startswith(DESCRIPTION) and "是" in report.description  # the answer, for staff

    with on_commit(execute=True):
        close_case(client, city, report.case, make_jpeg)
    report.case.refresh_from_db()
    (item,), root = get_both(client, f"requests/{request_id}")
    assert item["status"] == "closed"
    assert item["updated_datetime"] == timezone.localtime(report.case.closed_at).isoformat(timespec="seconds")
    assert root.find("request/status").text == "closed"
    # it is listed (accepted cases), with the closed filter, and not with the open one
    listed, _ = get_both(client, "requests", "status=closed")
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert get_both(client, "requests", "status=open")[0] == []
    # history extension: public steps only
    (item,), _ = get_both(client, f"requests/{request_id}", "extensions=true")
    assert [n["type"] for n in item["notes"]] == ["open", "accept", "assign", "start", "submit", "approve"]
    assert item["notes"][-1]["status"] == "closed"


def test_batch_service_answers_a_token_that_resolves_after_the_worker_ran(client, city, api_key, on_commit):
    with on_commit(execute=False) as callbacks:
        response = post(client, fmt="xml", api_key=api_key, service_code="hotline_transfer", description=DESCRIPTION,
                        phone="13800138000", **JINSHUI, **{"attribute[hazard_kind]": "escape_route",
                                                           "attribute[ticket_number]": "12345-2026-0001"})
    assert response.status_code == 200, response.content
    root = parse_xml(response)
    assert root.tag == "service_requests" and root.find("request/service_request_id") is None
    token = root.find("request/token").text
    row = Open311Request.objects.get(token=token)
    assert row.state == RequestState.PENDING and "13800138000" not in row.payload  # encrypted while waiting
    assert Report.objects.count() == 0

    (waiting,), _ = get_both(client, f"tokens/{token}")
    assert waiting == {"service_request_id": None, "token": token}
    with on_commit(execute=True):
        for callback in callbacks:
            callback()
    (done,), _ = get_both(client, f"tokens/{token}")
    assert done["token"] == token and isinstance(done["service_request_id"], str)
    row.refresh_from_db()
    assert row.state == RequestState.DONE and row.payload == ""
    report = Report.objects.get(public_id=done["service_request_id"])
    assert report.category == "escape_route" and "12345-2026-0001" in report.description
    assert ReporterIdentity.objects.filter(report=report).exists()
    (item,), _ = get_both(client, f"requests/{done['service_request_id']}")
    assert item["service_code"] == "hotline_transfer" and item["status"] == "open"
    act(client, city.inspector_li, report.case, "reject", reason="重复工单，已另案处理")  # a staff transition
    (item,), _ = get_both(client, f"requests/{done['service_request_id']}")
    assert item["status"] == "closed" and "重复工单" in item["status_notes"] and item["updated_datetime"]


def test_batch_request_refused_by_the_worker_says_why_on_its_token(client, city, api_key, settings, on_commit):
    settings.HAZARDWATCH_RATE_REPORTER = "1/3600"
    tokens = []
    with on_commit(execute=True):
        for _ in range(2):
            response = post(client, api_key=api_key, service_code="hotline_transfer", description=DESCRIPTION,
                            phone="13800138000", **JINSHUI, **{"attribute[hazard_kind]": "gas"})
            tokens.append(parse_json(response)[0]["token"])
    get_both(client, f"tokens/{tokens[0]}")
    errors, _ = get_both(client, f"tokens/{tokens[1]}", status=400)
    assert errors[0]["code"] == 400 and errors[0]["description"]
    assert Open311Request.objects.get(token=tokens[1]).payload == ""
    assert Report.objects.count() == 1


def test_gcj02_input_through_the_coordinate_system_attribute(client, city, api_key):
    from hazardwatch.places import geo

    response = post(client, api_key=api_key, service_code="mining", description=DESCRIPTION,
                    lat="34.7786", long="113.6781", **{"attribute[coordinate_system]": "gcj02"})
    assert response.status_code == 200, response.content
    report = Report.objects.get(public_id=parse_json(response)[0]["service_request_id"])
    assert report.input_crs == "gcj02" and (report.input_lat, report.input_lon) == (34.7786, 113.6781)
    assert (report.lat, report.lon) == pytest.approx(geo.gcj02_to_wgs84(34.7786, 113.6781), abs=1e-7)
    assert abs(report.lon - 113.6781) > 0.003  # converted, not stored as sent


def test_multipart_with_a_photo_media_url_and_bearer_key(client, city, make_jpeg):
    _key, raw = apikey_create(name="drone platform")
    response = client.post(f"{BASE}requests.json", {
        "service_code": "fire_equipment", "description": DESCRIPTION, **JINSHUI,
        "attribute[equipment][]": ["extinguisher", "hydrant"], "media_url": "https://cdn.example.org/p/1.jpg",
        "media": SimpleUploadedFile("p.jpg", make_jpeg(), "image/jpeg"),
    }, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content
    report = Report.objects.get(public_id=parse_json(response)[0]["service_request_id"])
    assert report.photos.count() == 1
    assert "https://cdn.example.org/p/1.jpg" in report.description
    assert "灭火器" in report.description and "消火栓" in report.description


def test_api_key_in_the_query_string_like_the_python_client(client, city, api_key):
    response = client.post(f"{BASE}requests.json?api_key={api_key}&jurisdiction_id=hazardwatch.example",
                           {"service_code": "other", "description": DESCRIPTION, **JINSHUI})
    assert response.status_code == 200, response.content


def test_public_view_never_shows_reporter_identity_text_or_exact_point(client, city, api_key):
    response = post(client, api_key=api_key, service_code="gas", description="煤气罐放在张三家门口，电话13912345678",
                    email="zhang@example.com", first_name="San", last_name="Zhang", phone="13912345678",
                    device_id="dev-123", account_id="acct-9", lat="34.781234", long="113.672345")
    assert response.status_code == 200, response.content
    (answer,) = parse_json(response)
    assert answer["account_id"] == "acct-9"
    request_id = answer["service_request_id"]
    report = Report.objects.get(public_id=request_id)
    assert not report.is_anonymous
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}requests/{request_id}.{fmt}?extensions=true").content.decode()
        body += client.get(f"{BASE}requests.{fmt}?service_request_id={request_id}").content.decode()
        for secret in ("zhang@example.com", "Zhang", "13912345678", "煤气罐", "dev-123", "acct-9", "34.781234",
                       "113.672345", report.case.reference):
            assert secret not in body, (fmt, secret)
    (item,), _ = get_both(client, f"requests/{request_id}")
    assert item["description"] == "" and item["media_url"] is None and item["agency_responsible"] is None
    assert item["address"].startswith("金水区")
    assert isinstance(item["lat"], float) and isinstance(item["long"], float)
    assert abs(item["lat"] - 34.781234) < 0.05 and abs(item["long"] - 113.672345) < 0.05  # the H3 r7 cell


def test_request_fields_and_json_types(client, city, api_key):
    response = post(client, api_key=api_key, service_code="electrical", description=DESCRIPTION, **JINSHUI)
    request_id = parse_json(response)[0]["service_request_id"]
    (item,), root = get_both(client, f"requests/{request_id}")
    assert list(item) == ["service_request_id", "status", "status_notes", "service_name", "service_code",
                          "description", "agency_responsible", "service_notice", "requested_datetime",
                          "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                          "long", "media_url"]
    assert [c.tag for c in root.find("request")] == list(item)
    assert isinstance(item["service_request_id"], str) and item["status"] in ("open", "closed")
    requested = dt.datetime.fromisoformat(item["requested_datetime"])
    assert requested.tzinfo is not None and item["requested_datetime"].endswith("+08:00")
    assert isinstance(item["lat"], float) and isinstance(item["long"], float)
    assert root.find("request/address_id").text is None  # empty element


def _report(client, api_key, code="escape_route", **extra):
    fields = {"api_key": api_key, "service_code": code, "description": DESCRIPTION, **JINSHUI, **extra}
    if code == "escape_route":
        fields.setdefault("attribute[exit_locked]", "no")
    response = post(client, **fields)
    assert response.status_code == 200, response.content
    return Report.objects.get(public_id=parse_json(response)[0]["service_request_id"])


def test_search_filters_window_limit_and_pages(client, city, api_key):
    reports = [_report(client, api_key) for _ in range(3)] + [_report(client, api_key, "gas")]
    new_one = _report(client, api_key, "gas")
    Case.objects.filter(pk__in=[r.case_id for r in reports]).update(status="triaged")  # accepted
    ids = [str(r.public_id) for r in reports]
    listed, _ = get_both(client, "requests")
    assert {r["service_request_id"] for r in listed} == set(ids)  # the new (unaccepted) one is not listed
    assert str(new_one.public_id) not in {r["service_request_id"] for r in listed}
    # exactly the ids asked for, whatever the other filters say
    asked = f"{ids[1]},{new_one.public_id},{ids[1]},not-an-id"
    exact, _ = get_both(client, "requests", f"service_request_id={asked}&status=closed&service_code=mining")
    assert [r["service_request_id"] for r in exact] == [ids[1], str(new_one.public_id)]
    gas, _ = get_both(client, "requests", "service_code=gas")
    assert [r["service_request_id"] for r in gas] == [ids[3]]
    both, _ = get_both(client, "requests", "service_code=gas,escape_route&status=open,closed")
    assert len(both) == 4
    assert get_both(client, "requests", "status=")[0] == listed  # empty = not sent
    # a report from the web form appears under its category's service
    web = client.post("/api/v1/reports", data=json.dumps({"description": DESCRIPTION, "latitude": 34.78,
                                                           "longitude": 113.672, "category": "gas"}),
                      content_type="application/json")
    assert web.status_code == 201
    web_case = Case.objects.get(reference=web.json()["reference"])
    Case.objects.filter(pk=web_case.pk).update(status="rectifying")
    gas, _ = get_both(client, "requests", "service_code=gas")
    assert len(gas) == 2 and {r["service_code"] for r in gas} == {"gas"}
    # dates: the window, and old reports outside the default 90 days
    Report.objects.filter(pk=reports[0].pk).update(submitted_at=timezone.now() - dt.timedelta(days=100))
    listed, _ = get_both(client, "requests")
    assert ids[0] not in {r["service_request_id"] for r in listed}
    old = (timezone.now() - dt.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    older, _ = get_both(client, "requests", f"start_date={old}")
    assert [r["service_request_id"] for r in older] == [ids[0]]
    end = (timezone.now() - dt.timedelta(days=95)).strftime("%Y-%m-%d")
    assert [r["service_request_id"] for r in get_both(client, "requests", f"end_date={end}")[0]] == [ids[0]]
    # pages (extension): newest first
    page1 = parse_json(client.get(f"{BASE}requests.json?page_size=2"))
    page2 = client.get(f"{BASE}requests.json?page_size=2&page=2")
    assert len(page1) == 2 and page2["X-Open311-Has-More"] == "false"
    assert {r["service_request_id"] for r in page1} | {r["service_request_id"] for r in parse_json(page2)} == \
        {r["service_request_id"] for r in get_both(client, "requests")[0]}


def test_search_answers_at_most_1000_requests(client, city, api_key, settings):
    from hazardwatch.open311 import services

    settings.HAZARDWATCH_RATE_DEVICE = "0/60"
    r1 = _report(client, api_key)
    r2 = _report(client, api_key)
    Case.objects.filter(pk__in=[r1.case_id, r2.case_id]).update(status="triaged")
    original = services.LIMIT
    services.LIMIT = 1
    try:
        assert len(get_both(client, "requests")[0]) == 1
        get_both(client, "requests", "page_size=2", status=400)
    finally:
        services.LIMIT = original
    assert len(get_both(client, "requests")[0]) == 2


def test_rejected_request_is_closed_with_the_public_reason(client, city, api_key):
    from hazardwatch.cases.services import case_transition

    report = _report(client, api_key)
    case_transition(case_id=report.case_id, action="reject", actor=city.inspector_li,
                    data={"reason": "经核查不属于安全隐患"})
    (item,), _ = get_both(client, f"requests/{report.public_id}")
    assert item["status"] == "closed" and "经核查不属于安全隐患" in item["status_notes"]


def test_post_answers_have_the_same_content_in_both_formats(client, city, api_key):
    from hazardwatch.open311.tests.helpers import json_as_xml_text, xml_plain

    fields = {"api_key": api_key, "service_code": "mining", "description": DESCRIPTION, "account_id": "42", **JINSHUI}
    as_json = parse_json(post(client, "json", **fields))
    as_xml = xml_plain(parse_xml(post(client, "xml", **fields)))
    assert [list(a) for a in json_as_xml_text(as_json)] == [list(a) for a in as_xml] == \
        [["service_request_id", "service_notice", "account_id"]]
    assert as_json[0]["account_id"] == "42" and as_xml[0]["account_id"] == "42"
    # the two requests differ only in id and receipt; the XML one is stored and followable like the JSON one
    (item,), _ = get_both(client, f"requests/{as_xml[0]['service_request_id']}")
    assert item["service_code"] == "mining"


def test_admin_lists_requests_without_the_waiting_submission(client, city, api_key, on_commit):
    with on_commit(execute=False):
        post(client, api_key=api_key, service_code="hotline_transfer", description=DESCRIPTION, phone="13800138000",
             **JINSHUI, **{"attribute[hazard_kind]": "gas"})
    row = Open311Request.objects.get()
    client.force_login(city.admin_chen)
    listing = client.get("/admin/open311/open311request/")
    detail = client.get(f"/admin/open311/open311request/{row.pk}/change/")
    assert listing.status_code == 200 and detail.status_code == 200
    assert row.payload[:40] not in detail.content.decode() and "13800138000" not in detail.content.decode()
