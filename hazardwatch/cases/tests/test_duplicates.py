"""Duplicates, merge and undo, "was it fixed?" and abuse control, through the HTTP API and the workbench."""
import datetime as dt
import io
import json
import random

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazardwatch.cases.models import Case, CaseEvent, EvidencePhoto, Notification
from hazardwatch.cases.selectors import case_reports, first_valid_report
from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.reports.models import FixFeedback, Report, ReportPhoto

JINSHUI = (34.78, 113.672)
ERQI = (34.755, 113.656)


def post_json(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def offset(point, north_m=0.0, east_m=0.0):
    lat, lon = point
    return lat + north_m / 111_195, lon + east_m / (111_195 * 0.8214)  # cos(34.78°) ≈ 0.8214


def pattern_jpeg(seed: int, brightness: int = 0) -> bytes:
    """A photo-like pattern whose pHash depends on `seed` (and hardly on a small brightness change)."""
    from PIL import Image

    rng = random.Random(seed)
    small = Image.new("L", (8, 8))
    small.putdata([rng.randrange(0, 200) + brightness for _ in range(64)])
    img = small.resize((256, 192), Image.BILINEAR).convert("RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def upload(data: bytes, name="p.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def submit(client, point=JINSHUI, expect=201, photos=None, **extra):
    body = {"description": "商场安全出口被货物堵塞，消防通道无法通行", "latitude": point[0], "longitude": point[1],
            "category": "escape_route", "contact": {"phone": "13800138000", "email": "r@example.com"}, **extra}
    if photos:
        resp = client.post("/api/v1/reports", {"data": json.dumps(body), "photos": photos})
    else:
        resp = post_json(client, "/api/v1/reports", body)
    assert resp.status_code == expect, resp.content
    if expect != 201:
        return resp.json(), None
    return resp.json()["receipt_code"], Case.objects.get(reference=resp.json()["reference"])


def duplicates(client, point, category="escape_route", photos=None, expect=200, **extra):
    body = {"latitude": point[0], "longitude": point[1], "category": category}
    if photos:
        resp = client.post("/api/v1/reports/duplicates", {"data": json.dumps(body), "photos": photos}, **extra)
    else:
        resp = post_json(client, "/api/v1/reports/duplicates", body, **extra)
    assert resp.status_code == expect, resp.content
    return resp.json()


def act(client, user, case, action, expect=200, **data):
    client.force_login(user)
    resp = post_json(client, f"/api/v1/cases/{case.pk}/transitions", {"action": action, **data})
    assert resp.status_code == expect, (action, resp.status_code, resp.content)
    language = client.cookies.get("django_language")
    client.logout()  # clears every cookie; keep the language the test chose
    if language is not None:
        client.cookies["django_language"] = language.value
    return resp.json()


def close_case(client, city, case):
    for action, data in [("accept", {}), ("grade", {"grade": "general"}),
                         ("assign", {"responsible_unit_id": city.enterprise.pk}), ("start", {})]:
        act(client, city.inspector_li, case, action, **data)
    client.force_login(city.officer_liu)
    resp = client.post(f"/api/v1/cases/{case.pk}/evidence",
                       {"note": "已清理", "photos": [upload(pattern_jpeg(99), "after.jpg")]})
    assert resp.status_code == 200, resp.content
    client.logout()
    act(client, city.inspector_li, case, "approve")


def lookup(client, code):
    resp = post_json(client, "/api/v1/reports/lookup", {"receipt_code": code})
    assert resp.status_code == 200, resp.content
    return resp.json()


def snapshot():
    return (Report.objects.count(), Case.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count(),
            FixFeedback.objects.count(), EvidencePhoto.objects.count(),
            sorted(Case.objects.values_list("pk", "status", "merged_into_id", "reopen_count")))


# --- finding duplicates -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_duplicates_api_finds_open_cases_of_the_same_kind_nearby_redacted(client, city):
    _, case = submit(client, address="某商场负一层 王先生 13912345678")
    near = offset(JINSHUI, north_m=60, east_m=40)
    out = duplicates(client, near)
    assert out["count"] == 1
    item = out["items"][0]
    assert item["reference"] == case.reference and item["status"] == "new"
    assert 60 <= item["distance_m"] <= 80 and item["reported_on"] == timezone.localdate().isoformat()
    assert set(item) == {"reference", "title", "status", "status_label", "distance_m", "reported_on",
                         "photo_similar", "score"}
    text = json.dumps(out, ensure_ascii=False)
    for secret in ("13800138000", "r@example.com", "13912345678", "王先生", "货物堵塞", city.jinshui_fire.name):
        assert secret not in text  # no reporter data, no description, no address, no unit
    assert duplicates(client, near, category="ebike_charging")["count"] == 0  # another kind
    assert duplicates(client, offset(JINSHUI, north_m=400))["count"] == 0  # outside the radius
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert duplicates(client, near)["count"] == 0  # outside the time window
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now(), status="rejected")
    assert duplicates(client, near)["count"] == 0  # not open


@pytest.mark.django_db
def test_duplicates_ranking_and_photo_similarity(client, city, settings):
    _, far_with_photo = submit(client, point=offset(JINSHUI, east_m=600), photos=[upload(pattern_jpeg(1))])
    _, nearer = submit(client, point=offset(JINSHUI, north_m=20))
    _, further = submit(client, point=offset(JINSHUI, north_m=120))
    assert ReportPhoto.objects.get(report__case=far_with_photo).phash  # stored at intake
    out = duplicates(client, JINSHUI)
    assert [i["reference"] for i in out["items"]] == [nearer.reference, further.reference]  # closer ranks first
    # the same scene, a little brighter: similar pHash extends the search to the photo radius and ranks it
    out = duplicates(client, JINSHUI, photos=[upload(pattern_jpeg(1, brightness=8))])
    refs = [i["reference"] for i in out["items"]]
    assert far_with_photo.reference in refs
    assert next(i for i in out["items"] if i["reference"] == far_with_photo.reference)["photo_similar"]
    # an unrelated photo does not
    out = duplicates(client, JINSHUI, photos=[upload(pattern_jpeg(2))])
    assert far_with_photo.reference not in [i["reference"] for i in out["items"]]
    settings.HAZARDWATCH_DUPLICATE_PHOTO_RADIUS_M = 500
    settings.HAZARDWATCH_DUPLICATE_RADIUS_M = 50
    out = duplicates(client, JINSHUI, photos=[upload(pattern_jpeg(1, brightness=8))])
    assert [i["reference"] for i in out["items"]] == [nearer.reference]  # settings drive both radii
    settings.HAZARDWATCH_DUPLICATE_PHOTO_RADIUS_M = 1000
    settings.HAZARDWATCH_DUPLICATE_PHASH_DISTANCE = -1
    out = duplicates(client, JINSHUI, photos=[upload(pattern_jpeg(1))])
    assert far_with_photo.reference not in [i["reference"] for i in out["items"]]  # and the threshold


@pytest.mark.django_db
@pytest.mark.parametrize("body,field", [
    ({"latitude": 34.78, "longitude": 113.672}, "category"),
    ({"latitude": 34.78, "longitude": 113.672, "category": "nonsense"}, "category"),
    ({"latitude": 1.0, "longitude": 2.0, "category": "escape_route"}, "location"),
    ({"latitude": 34.78, "longitude": 113.672, "category": "escape_route", "crs": "utm"}, "crs"),
    ({"latitude": "north", "longitude": 113.672, "category": "escape_route"}, "latitude"),
])
def test_duplicates_api_bad_input(client, city, body, field):
    resp = post_json(client, "/api/v1/reports/duplicates", body)
    assert resp.status_code == 400
    assert field in json.dumps(resp.json()["extra"])


@pytest.mark.django_db
def test_duplicates_api_refuses_a_non_image(client, city):
    resp = client.post("/api/v1/reports/duplicates", {
        "data": json.dumps({"latitude": 34.78, "longitude": 113.672, "category": "escape_route"}),
        "photos": [SimpleUploadedFile("x.jpg", b"<svg></svg>", content_type="image/jpeg")]})
    assert resp.status_code == 400 and "photos" in resp.json()["extra"]["fields"]


# --- following a case instead of filing ---------------------------------------------------------------

@pytest.mark.django_db
def test_follow_an_existing_case_gives_a_receipt_that_follows_it(client, city, on_commit):
    code1, case = submit(client)
    before = Case.objects.count()
    code2, followed = submit(client, point=offset(JINSHUI, north_m=50), follow_reference=case.reference,
                             contact={"email": "second@example.com"})
    assert followed == case and Case.objects.count() == before  # no new case
    report = Report.objects.get(case=case, followed_existing=True)
    assert lookup(client, code2)["reference"] == case.reference
    assert CaseEvent.objects.filter(case=case, action="follow", is_public=False).count() == 1
    # both reporters hear of the next public step
    mail.outbox.clear()
    with on_commit(execute=True):
        act(client, city.inspector_li, case, "accept")
    assert sorted(m.to[0] for m in mail.outbox) == ["r@example.com", "second@example.com"]
    assert first_valid_report(case).receipt_hash != report.receipt_hash  # the first reporter stays first


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["far", "unknown", "closed", "other_kind"])
def test_follow_refused_when_not_a_candidate(client, city, how):
    _, case = submit(client)
    extra = {"follow_reference": case.reference}
    point = offset(JINSHUI, north_m=30)
    if how == "far":
        point = offset(JINSHUI, north_m=2000)
    elif how == "unknown":
        extra["follow_reference"] = "HW20990000001"
    elif how == "closed":
        Case.objects.filter(pk=case.pk).update(status="closed")
    else:
        extra["category"] = "ebike_charging"
    state = snapshot()
    out, _ = submit(client, point=point, expect=400, photos=[upload(pattern_jpeg(5))], **extra)
    assert "follow_reference" in out["extra"]["fields"]
    assert snapshot() == state  # nothing stored
    assert not ReportPhoto.objects.filter(report__case__isnull=True).exists()


# --- merge and undo -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_merge_and_undo_end_to_end(client, city, on_commit):
    code_a, a = submit(client)
    code_b, b = submit(client, point=offset(JINSHUI, north_m=30), contact={"email": "b@example.com"})
    act(client, city.inspector_li, b, "accept")
    # staff see the likely duplicate and the first reporter on the case page
    client.force_login(city.inspector_li)
    page = client.get(f"/staff/cases/{b.pk}/").content.decode()
    assert 'id="likely-duplicates"' in page and f'data-duplicate="{a.pk}"' in page
    client.logout()

    client.force_login(city.inspector_li)
    listed = client.get(f"/api/v1/cases/{b.pk}/duplicates").json()
    assert [d["id"] for d in listed] == [a.pk] and listed[0]["distance_m"] < 40
    client.force_login(city.erqi_wang)
    assert client.get(f"/api/v1/cases/{b.pk}/duplicates").status_code == 404  # not in their jurisdiction
    client.logout()
    act(client, city.inspector_li, b, "merge", target_case_id=a.pk, note="同一出口")
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into == a
    assert set(case_reports(a)) == set(Report.objects.filter(case__in=[a, b]))  # b keeps its report
    assert first_valid_report(a) == Report.objects.get(case=a)
    status = lookup(client, code_b)
    assert status["reference"] == a.reference and status["merged_into"] == a.reference
    client.force_login(city.inspector_li)
    page = client.get(f"/staff/cases/{a.pk}/").content.decode()
    first = Report.objects.get(case=a)
    assert f'data-report="{first.pk}"' in page and page.count("data-first-reporter") == 1
    assert page.index(f'data-report="{first.pk}"') < page.index("data-first-reporter")
    client.logout()

    # the survivor's steps reach the merged reporter too, by mail and on the status page
    mail.outbox.clear()
    with on_commit(execute=True):
        act(client, city.inspector_li, a, "accept")
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.com", "r@example.com"]
    assert Notification.objects.filter(event__case=a, event__action="accept").count() == 3  # a: e-mail+SMS, b: e-mail
    assert lookup(client, code_b)["status"] == "triaged"
    assert "accept" in [h["action"] for h in lookup(client, code_b)["history"]]

    # undo: b gets back its previous status (triaged), audited and public
    out = act(client, city.inspector_li, b, "unmerge", note="不是同一处")
    assert out["status"] == "triaged"
    b.refresh_from_db()
    assert b.merged_into is None and b.deadline is not None
    assert AuditEntry.objects.filter(action="case.unmerge", object_type="case", object_id=str(b.pk)).count() == 1
    assert CaseEvent.objects.get(case=b, action="unmerge").is_public
    assert lookup(client, code_b)["reference"] == b.reference
    assert set(case_reports(a)) == {Report.objects.get(case=a)}
    act(client, city.inspector_li, b, "unmerge", expect=409)  # nothing left to undo
    assert audit_verify().ok


@pytest.mark.django_db
def test_merge_bad_input_changes_nothing(client, city):
    client.cookies["django_language"] = "en"  # the messages are compared in English
    _, a = submit(client)
    _, b = submit(client)
    _, closed = submit(client)
    _, merged = submit(client)
    _, erqi = submit(client, point=ERQI)
    assert erqi.regulator == city.erqi_fire
    Case.objects.filter(pk=closed.pk).update(status="closed")
    act(client, city.inspector_li, merged, "merge", target_case_id=a.pk)
    state = snapshot()
    out = act(client, city.inspector_li, b, "merge", expect=400, target_case_id=b.pk)
    assert "itself" in out["message"]
    act(client, city.inspector_li, b, "merge", expect=400, target_case_id=closed.pk)
    act(client, city.inspector_li, b, "merge", expect=400, target_case_id=merged.pk)
    act(client, city.inspector_li, b, "merge", expect=400, target_case_id=erqi.pk)  # not visible to Jinshui
    act(client, city.inspector_li, b, "merge", expect=400, target_case_id="x")
    # the city leader sees both districts, but the target is in another regulator's jurisdiction
    out = act(client, city.city_sun, b, "merge", expect=400, target_case_id=erqi.pk)
    assert "jurisdiction" in out["message"]
    act(client, city.inspector_li, a, "unmerge", expect=409)  # not merged
    act(client, city.erqi_wang, merged, "unmerge", expect=404)  # not visible
    assert snapshot() == state


# --- was it fixed? --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_fix_feedback_yes_and_no(client, city, on_commit):
    code_a, a = submit(client)
    code_b, b = submit(client, contact=None)
    act(client, city.inspector_li, b, "merge", target_case_id=a.pk)
    assert not lookup(client, code_a)["ask_fixed"]
    mail.outbox.clear()
    with on_commit(execute=True):
        close_case(client, city, a)
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        question = gettext("Was it fixed? Answer yes or no with your receipt code on the status page.")
    asked = [m for m in mail.outbox if question in m.body]
    assert len(asked) == 1 and asked[0].to == ["r@example.com"]  # the closure message asks; b is anonymous
    status = lookup(client, code_a)
    assert status["status"] == "closed" and status["ask_fixed"] and status["fixed_answer"] is None

    resp = client.post("/api/v1/reports/feedback", {"data": json.dumps({"receipt_code": code_a, "fixed": True}),
                                                     "photos": [upload(pattern_jpeg(7))]})
    assert resp.status_code == 200, resp.content
    assert resp.json()["fixed_answer"] is True and not resp.json()["ask_fixed"] and resp.json()["status"] == "closed"
    event = CaseEvent.objects.get(case=a, action="confirm_fix")
    assert not event.is_public and event.photos.count() == 1
    assert FixFeedback.objects.get(report__case=a).is_fixed

    state = snapshot()
    again = post_json(client, "/api/v1/reports/feedback", {"receipt_code": code_a, "fixed": False})
    assert again.status_code == 409  # one answer per report
    assert snapshot() == state

    # the merged reporter says no: the surviving case reopens, the photo becomes evidence
    resp = client.post("/api/v1/reports/feedback", {
        "data": json.dumps({"receipt_code": code_b, "fixed": False, "comment": "出口又被堵上了"}),
        "photos": [upload(pattern_jpeg(8))]})
    assert resp.status_code == 200, resp.content
    a.refresh_from_db()
    assert a.status == "triaged" and a.reopen_count == 1
    dispute = CaseEvent.objects.get(case=a, action="dispute")
    assert dispute.is_public and dispute.note == "出口又被堵上了" and dispute.photos.count() == 1
    assert AuditEntry.objects.filter(action="case.dispute").exists()
    client.force_login(city.inspector_li)
    page = client.get(f"/staff/cases/{a.pk}/").content.decode()
    assert 'data-feedback="fixed"' in page and 'data-feedback="not_fixed"' in page
    assert audit_verify().ok


@pytest.mark.django_db
def test_fix_feedback_bad_input_changes_nothing(client, city):
    code, case = submit(client)
    state = snapshot()
    r = post_json(client, "/api/v1/reports/feedback", {"receipt_code": code, "fixed": True})
    assert r.status_code == 409  # not closed
    close_case(client, city, case)
    state = snapshot()
    assert post_json(client, "/api/v1/reports/feedback",
                     {"receipt_code": "AAAA-BBBB-CCCC-DDDD", "fixed": True}).status_code == 404
    assert post_json(client, "/api/v1/reports/feedback", {"receipt_code": "nope", "fixed": True}).status_code == 400
    assert post_json(client, "/api/v1/reports/feedback", {"receipt_code": code}).status_code == 400
    bad = client.post("/api/v1/reports/feedback", {"data": json.dumps({"receipt_code": code, "fixed": False}),
                                                    "photos": [SimpleUploadedFile("x.jpg", b"GIF89a....",
                                                                                  content_type="image/jpeg")]})
    assert bad.status_code == 400 and "photo" in bad.json()["extra"]["fields"]
    two = client.post("/api/v1/reports/feedback", {"data": json.dumps({"receipt_code": code, "fixed": False}),
                                                    "photos": [upload(pattern_jpeg(1)), upload(pattern_jpeg(2))]})
    assert two.status_code == 400
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    late = post_json(client, "/api/v1/reports/feedback", {"receipt_code": code, "fixed": False})
    assert late.status_code == 409 and "30" in late.json()["message"]
    assert not lookup(client, code)["ask_fixed"]
    assert snapshot()[:6] == state[:6]
    case.refresh_from_db()
    assert case.status == "closed"


# --- abuse control --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rate_limits_hold(client, city, settings):
    settings.HAZARDWATCH_RATE_DUPLICATES = "2/600"
    settings.HAZARDWATCH_RATE_REPORTER = "2/86400"
    duplicates(client, JINSHUI)
    duplicates(client, JINSHUI)
    resp = post_json(client, "/api/v1/reports/duplicates",
                     {"latitude": 34.78, "longitude": 113.672, "category": "escape_route"})
    assert resp.status_code == 429
    duplicates(client, JINSHUI, REMOTE_ADDR="10.0.0.9")  # another client has its own bucket
    # per identified reporter, whatever the client
    submit(client, REMOTE_ADDR="10.0.0.1")
    submit(client, REMOTE_ADDR="10.0.0.2")
    count = Report.objects.count()
    body = {"description": "商场安全出口被货物堵塞", "latitude": 34.78, "longitude": 113.672,
            "category": "escape_route", "contact": {"phone": "+86 138-0013-8000"}}
    assert post_json(client, "/api/v1/reports", body, REMOTE_ADDR="10.0.0.3").status_code == 429
    assert Report.objects.count() == count
    body["contact"] = None  # anonymous reports are limited per client only
    assert post_json(client, "/api/v1/reports", body, REMOTE_ADDR="10.0.0.3").status_code == 201
    # no address is stored anywhere with the reports
    for row in Report.objects.values():
        assert "10.0.0" not in json.dumps(row, default=str)


@pytest.mark.django_db
def test_untrue_reports_flag_reporters_and_devices(client, city, settings):
    from hazardwatch.reports.services import device_key_create

    settings.HAZARDWATCH_UNTRUE_FLAG_SHARE = 0.5
    settings.HAZARDWATCH_UNTRUE_FLAG_MIN_REPORTS = 3
    cases = [submit(client, contact={"phone": "13700137000"})[1] for _ in range(3)]
    out = act(client, city.inspector_li, cases[0], "reject", expect=400, reason="虚假", reason_code="lies")
    assert "reason_code" in out["extra"]["fields"]
    act(client, city.inspector_li, cases[0], "reject", reason="现场核查无此情况", reason_code="untrue")
    client.force_login(city.inspector_li)
    assert "data-flagged-source" not in client.get(f"/staff/cases/{cases[1].pk}/").content.decode()  # 1 of 3
    client.logout()
    act(client, city.inspector_li, cases[1], "reject", reason="恶意举报", reason_code="untrue")
    client.force_login(city.inspector_li)
    page = client.get(f"/staff/cases/{cases[2].pk}/").content.decode()
    assert "data-flagged-source" in page and "13700137000" not in page
    listing = client.get("/staff/reporters/flagged/").content.decode()
    key = Report.objects.filter(case=cases[2]).get().reporter_key
    assert key[:10] in listing and "13700137000" not in listing
    assert 'data-kind="reporter"' in listing
    # a regulator who sees none of these reports does not get the row
    client.force_login(city.erqi_wang)
    assert key[:10] not in client.get("/staff/reporters/flagged/").content.decode()
    client.logout()

    _, plain = device_key_create(name="路口摄像头 7", kind="camera")
    device_cases = []
    for _ in range(3):
        resp = client.post("/api/v1/devices/reports", data=json.dumps({
            "description": "检测到安全出口堵塞", "latitude": 34.78, "longitude": 113.672,
            "category": "escape_route"}), content_type="application/json", HTTP_X_API_KEY=plain)
        assert resp.status_code == 201, resp.content
        device_cases.append(Case.objects.get(reference=resp.json()["reference"]))
    for c in device_cases[:2]:
        act(client, city.inspector_li, c, "reject", reason="误报", reason_code="untrue")
    settings.HAZARDWATCH_RATE_DEVICE = "3/3600"  # the device already sent 3 in this window
    resp = client.post("/api/v1/devices/reports", data=json.dumps({
        "description": "检测到安全出口堵塞", "latitude": 34.78, "longitude": 113.672, "category": "escape_route"}),
        content_type="application/json", HTTP_X_API_KEY=plain)
    assert resp.status_code == 429 and Report.objects.filter(device__isnull=False).count() == 3
    client.force_login(city.inspector_li)
    listing = client.get("/staff/reporters/flagged/").content.decode()
    assert 'data-kind="device"' in listing and "路口摄像头 7" in listing


@pytest.mark.django_db
def test_openapi_lists_the_new_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/reports/duplicates" in paths and "/api/v1/reports/feedback" in paths
