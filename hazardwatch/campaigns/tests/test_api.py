"""The campaigns API over HTTP: campaigns, liaison officers, activities, summaries, overview, bad input."""
import datetime as dt

import pytest

from hazardwatch.campaigns.models import ActivityPhoto, Campaign, Summary
from hazardwatch.campaigns.tests.conftest import API, patch, post, put, unit_url
from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _campaign_payload(today, **extra):
    data = {"title": "消防宣传月", "theme": "全民消防 生命至上", "starts_on": str(today),
            "ends_on": str(today + dt.timedelta(days=30)), "liaison_due": str(today + dt.timedelta(days=5)),
            "summary_due": str(today + dt.timedelta(days=35)), "unit_kinds": ["school"], "status": "open"}
    data.update(extra)
    return data


def test_office_creates_and_edits_a_campaign(en, cw):
    en.force_login(cw.office_wu)
    r = post(en, f"{API}/", _campaign_payload(cw.today))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["office"]["id"] == cw.office.pk and body["unit_kinds"] == ["school"] and body["can_manage"]
    r = patch(en, f"{API}/{body['id']}", {"theme": "新主题", "reminder_days": 5})
    assert r.status_code == 200 and r.json()["theme"] == "新主题" and r.json()["reminder_days"] == 5
    assert AuditEntry.objects.filter(action__in=["campaign.create", "campaign.update"]).count() == 2
    assert audit_verify().ok


@pytest.mark.parametrize(("extra", "field"), [
    ({"ends_on": "2020-01-01"}, "ends_on"),
    ({"unit_kinds": ["regulator"]}, "unit_kinds"),
    ({"unit_kinds": []}, "unit_kinds"),
    ({"starts_on": "15 May"}, "starts_on"),
    ({"title": ""}, "title"),
    ({"status": "running"}, "status"),
    ({"reminder_days": 99}, "reminder_days"),
])
def test_bad_campaign_input_is_a_400_naming_the_field(en, cw, extra, field):
    en.force_login(cw.office_wu)
    r = post(en, f"{API}/", _campaign_payload(cw.today, **extra))
    assert r.status_code == 400
    assert field in r.json()["extra"]["fields"]
    assert Campaign.objects.count() == 1


def test_only_the_office_creates_or_edits(en, cw):
    en.force_login(cw.city.officer_liu)
    assert post(en, f"{API}/", _campaign_payload(cw.today)).status_code == 403
    assert patch(en, f"{API}/{cw.campaign.pk}", {"theme": "x"}).status_code == 403
    assert en.get(f"{API}/{cw.campaign.pk}/overview").status_code == 403
    en.force_login(cw.city.inspector_li)  # a regulator does not see the campaign at all
    assert en.get(f"{API}/{cw.campaign.pk}").status_code == 404
    assert en.get(f"{API}/{cw.campaign.pk}/overview").status_code == 404
    en.logout()
    assert en.get(f"{API}/").status_code == 401


def test_units_see_open_campaigns_they_take_part_in(en, cw):
    Campaign.objects.create(office=cw.office, title="草稿", theme="t", starts_on=cw.today, ends_on=cw.today,
                            liaison_due=cw.today, summary_due=cw.today, unit_kinds=["school"], status="draft")
    en.force_login(cw.teacher_ma)
    assert [c["id"] for c in en.get(f"{API}/").json()["items"]] == [cw.campaign.pk]
    en.force_login(cw.grid_zhou)  # communities are not in this campaign
    assert en.get(f"{API}/").json()["items"] == []


def test_liaison_registration_normalizes_the_phone_and_keeps_it_private(en, cw):
    en.force_login(cw.city.officer_liu)
    r = put(en, unit_url(cw, cw.enterprise, "/liaison"),
            {"name": "刘洋", "position": "安全主管", "phone": "+86 138 0013 8000", "email": "liu@example.cn"})
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "13800138000" and r.json()["late"] is False
    r = put(en, unit_url(cw, cw.enterprise, "/liaison"), {"name": "刘洋", "position": "安全主管",
                                                         "phone": "0371-65551234"})
    assert r.status_code == 200 and r.json()["phone"] == "0371-65551234"
    # the phone is not in the audit log
    assert all("0371" not in str(e.payload) for e in AuditEntry.objects.filter(action="campaign.liaison"))
    # the office sees it, another unit does not
    en.force_login(cw.office_wu)
    rows = en.get(f"{API}/{cw.campaign.pk}/overview").json()["rows"]
    assert next(x for x in rows if x["unit"] == cw.enterprise.pk)["liaison"]["phone"] == "0371-65551234"
    en.force_login(cw.teacher_ma)
    assert en.get(unit_url(cw, cw.enterprise)).status_code == 403


@pytest.mark.parametrize("phone", ["12345", "1380013800", "23800138000", "0371-123", "phone", "138001380001"])
def test_malformed_phone_is_refused(en, cw, phone):
    en.force_login(cw.city.officer_liu)
    r = put(en, unit_url(cw, cw.enterprise, "/liaison"), {"name": "刘洋", "position": "主管", "phone": phone})
    assert r.status_code == 400
    assert "phone" in r.json()["extra"]["fields"]
    assert "mobile" in r.json()["message"]


def test_filing_for_a_unit_you_do_not_belong_to_is_403(en, cw):
    en.force_login(cw.teacher_ma)
    for url, body in ((unit_url(cw, cw.enterprise, "/summary"), {"narrative": "x"}),
                      (unit_url(cw, cw.enterprise, "/activities"), {"kind": "lecture"})):
        r = post(en, url, body)
        assert r.status_code == 403 and "not staff of this unit" in r.json()["message"]
    r = put(en, unit_url(cw, cw.enterprise, "/liaison"), {"name": "a", "position": "b", "phone": "13800138000"})
    assert r.status_code == 403
    en.force_login(cw.office_wu)  # the office reads, but does not file for units
    assert en.get(unit_url(cw, cw.enterprise)).status_code == 200
    assert post(en, unit_url(cw, cw.enterprise, "/summary"), {"narrative": "x"}).status_code == 403
    en.force_login(cw.grid_zhou)  # a community: not a participant of this campaign
    r = post(en, unit_url(cw, cw.community, "/summary"), {"narrative": "x"})
    assert r.status_code == 403 and "does not take part" in r.json()["message"]


def test_a_campaign_not_open_refuses_filings(en, cw):
    en.force_login(cw.city.officer_liu)
    Campaign.objects.filter(pk=cw.campaign.pk).update(status="closed")
    r = post(en, unit_url(cw, cw.enterprise, "/summary"), {"narrative": "总结"})
    assert r.status_code == 409 and "not open" in r.json()["message"]
    Campaign.objects.filter(pk=cw.campaign.pk).update(status="draft")
    assert post(en, unit_url(cw, cw.enterprise, "/summary"), {"narrative": "总结"}).status_code == 404
    assert not Summary.objects.exists()


def test_activity_with_photos(en, cw, make_jpeg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    en.force_login(cw.city.officer_liu)
    photo = SimpleUploadedFile("a.jpg", make_jpeg(exif_gps=(34.78, 113.68)), content_type="image/jpeg")
    r = en.post(unit_url(cw, cw.enterprise, "/activities"), {
        "kind": "drill", "held_on": str(cw.today - dt.timedelta(days=3)), "place": "仓库", "participants": "45",
        "description": "疏散演练", "photos": [photo]})
    assert r.status_code == 201, r.content
    assert r.json()["photos"] == 1 and r.json()["participants"] == 45
    stored = ActivityPhoto.objects.get()
    data = stored.file.read()
    assert data.startswith(b"\xff\xd8") and b"GPS" not in data  # re-encoded, no EXIF location kept
    detail = en.get(unit_url(cw, cw.enterprise)).json()
    assert detail["activities"][0]["kind"] == "drill" and detail["prefill"]["participants"] == 45


@pytest.mark.parametrize(("data", "field"), [
    ({"held_on": "OUTSIDE_BEFORE"}, "held_on"),
    ({"held_on": "OUTSIDE_AFTER"}, "held_on"),
    ({"held_on": "2026-13-01"}, "held_on"),
    ({"kind": "party"}, "kind"),
    ({"participants": "0"}, "participants"),
    ({"participants": "many"}, "participants"),
    ({"place": ""}, "place"),
])
def test_bad_activity_input(en, cw, data, field):
    en.force_login(cw.city.officer_liu)
    body = {"kind": "lecture", "held_on": str(cw.today), "place": "会议室", "participants": 20}
    body.update(data)
    if body["held_on"] == "OUTSIDE_BEFORE":
        body["held_on"] = str(cw.campaign.starts_on - dt.timedelta(days=1))
    if body["held_on"] == "OUTSIDE_AFTER":
        body["held_on"] = str(cw.campaign.ends_on + dt.timedelta(days=1))
    r = post(en, unit_url(cw, cw.enterprise, "/activities"), body)
    assert r.status_code == 400, r.content
    assert field in r.json()["extra"]["fields"]


@pytest.mark.parametrize(("name", "payload", "message"), [
    ("notes.jpg", b"this is not an image", "not a JPEG, PNG or WebP"),
    ("cut.jpg", "TRUNCATED", "damaged or incomplete"),
    ("empty.jpg", b"", "empty"),
])
def test_photos_that_fail_validation_are_refused(en, cw, make_jpeg, name, payload, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hazardwatch.campaigns.models import Activity

    if payload == "TRUNCATED":
        payload = make_jpeg()[:-200]
    en.force_login(cw.city.officer_liu)
    r = en.post(unit_url(cw, cw.enterprise, "/activities"), {
        "kind": "lecture", "held_on": str(cw.today), "place": "会议室", "participants": "20",
        "photos": [SimpleUploadedFile(name, payload, content_type="image/jpeg")]})
    assert r.status_code == 400
    assert message in r.json()["message"] and "photos" in r.json()["extra"]["fields"]
    assert not Activity.objects.exists()


def test_summary_versions_and_late_filing(en, cw):
    en.force_login(cw.city.officer_liu)
    url = unit_url(cw, cw.enterprise, "/summary")
    r = post(en, url, {"narrative": "开展宣讲两场", "figures": {"quiz_takers": 12}})
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 1 and r.json()["late"] is False and r.json()["figures"]["quiz_takers"] == 12
    r = post(en, url, {"narrative": "开展宣讲三场", "figures": {"quiz_takers": 15}})
    assert r.status_code == 201 and r.json()["version"] == 2
    assert post(en, url, {"narrative": ""}).status_code == 400
    assert post(en, url, {"narrative": "x", "figures": {"drills": -1}}).status_code == 400
    # after the deadline: no more revisions, but a first filing is accepted and marked late
    Campaign.objects.filter(pk=cw.campaign.pk).update(summary_due=cw.today - dt.timedelta(days=1))
    r = post(en, url, {"narrative": "再改"})
    assert r.status_code == 409 and "can no longer be revised" in r.json()["message"]
    en.force_login(cw.teacher_ma)
    r = post(en, unit_url(cw, cw.school, "/summary"), {"narrative": "迟交的总结"})
    assert r.status_code == 201 and r.json()["late"] is True
    detail = en.get(unit_url(cw, cw.school)).json()
    assert detail["summary"]["late"] is True and detail["can_revise"] is False
    en.force_login(cw.city.officer_liu)
    versions = en.get(unit_url(cw, cw.enterprise)).json()["summary"]["versions"]
    assert [v["version"] for v in versions] == [2, 1] and versions[1]["narrative"] == "开展宣讲两场"


def test_overview_counts_submitted_late_and_missing(en, cw):
    en.force_login(cw.city.officer_liu)
    put(en, unit_url(cw, cw.enterprise, "/liaison"), {"name": "刘洋", "position": "主管", "phone": "13800138000"})
    post(en, unit_url(cw, cw.enterprise, "/summary"), {"narrative": "按时"})
    Campaign.objects.filter(pk=cw.campaign.pk).update(summary_due=cw.today - dt.timedelta(days=1),
                                                      liaison_due=cw.today - dt.timedelta(days=1))
    en.force_login(cw.teacher_ma)
    put(en, unit_url(cw, cw.school, "/liaison"), {"name": "马老师", "position": "安全员", "phone": "13900139000"})
    post(en, unit_url(cw, cw.school, "/summary"), {"narrative": "迟交"})
    en.force_login(cw.office_wu)
    body = en.get(f"{API}/{cw.campaign.pk}/overview").json()
    assert body["units"] == 3  # the two enterprises and the school; no community
    by = {d["key"]: d for d in body["deadlines"]}
    for key in ("summary", "liaison"):
        assert (by[key]["submitted"], by[key]["late"], by[key]["missing"], by[key]["pending"]) == (1, 1, 1, 0)
        assert by[key]["missing_units"] == [cw.other.pk] and by[key]["late_units"] == [cw.school.pk]
    states = {r["unit"]: r["summary"] for r in body["rows"]}
    assert states == {cw.enterprise.pk: "submitted", cw.school.pk: "late", cw.other.pk: "missing"}
