"""Drills through the /api/v1/drills/ API: plan, list, update, start, observe, record, cancel, issues → hazards,
visibility, bad input (clear 4xx, nothing changed), audit, and the campaign figures."""
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.drills import selectors, services
from hazardwatch.drills.models import Drill, DrillIssue, DrillObservation, DrillPhoto
from hazardwatch.drills.tests.conftest import API, patch, post
from hazardwatch.reports.models import Report

pytestmark = pytest.mark.django_db


def audit_actions(drill):
    entries = AuditEntry.objects.filter(object_type="drill", object_id=str(drill.pk))
    return list(entries.values_list("action", flat=True))


def snapshot(drill):
    drill.refresh_from_db()
    return {f.name: getattr(drill, f.name) for f in Drill._meta.concrete_fields}


# --- plan and list -----------------------------------------------------------------------------------

def test_plan_a_drill_and_read_it_back(liu, plan_payload, located_city):
    r = post(liu, f"{API}/", plan_payload())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "planned"
    assert body["organization_id"] == located_city.enterprise.pk
    assert body["can_edit"] is True
    assert set(body["actions"]) == {"start", "record", "cancel"}
    drill = Drill.objects.get(pk=body["id"])
    assert drill.region_path == located_city.enterprise.region.path
    assert audit_actions(drill) == ["drill.plan"]
    r = liu.get(f"{API}/{drill.pk}")
    assert r.status_code == 200
    assert r.json()["title"] == "春季消防疏散演练"
    assert r.json()["observations"] == [] and r.json()["issues"] == []


def test_the_only_unit_is_chosen_when_not_given(liu, plan_payload):
    data = plan_payload()
    data.pop("organization_id")
    r = post(liu, f"{API}/", data)
    assert r.status_code == 201, r.content


@pytest.mark.parametrize(("field", "value", "status"), [
    ("planned_participants", -3, 400),
    ("planned_participants", "many", 400),
    ("planned_minutes", 0, 400),
    ("kind", "fireworks_show", 400),
    ("scheduled_at", "next tuesday", 400),
    ("title", "", 400),
    ("scenario", "   ", 400),
    ("lat", "north", 400),
])
def test_bad_plans_are_refused_with_the_field_named(liu, plan_payload, field, value, status):
    r = post(liu, f"{API}/", plan_payload(**{field: value}))
    assert r.status_code == status, r.content
    fields = r.json()["extra"]["fields"]
    assert field in fields or (field == "lat" and "location" in fields)
    assert not Drill.objects.exists()
    assert not AuditEntry.objects.filter(object_type="drill").exists()


def test_unknown_fields_and_non_object_bodies_are_refused(liu, plan_payload):
    r = post(liu, f"{API}/", plan_payload(colour="red"))
    assert r.status_code == 400 and "colour" in r.json()["extra"]["fields"]
    r = liu.post(f"{API}/", "[1, 2]", content_type="application/json")
    assert r.status_code == 400
    r = liu.post(f"{API}/", "{not json", content_type="application/json")
    assert r.status_code == 400
    assert not Drill.objects.exists()


def test_planning_for_another_unit_is_forbidden(liu, plan_payload, located_city):
    r = post(liu, f"{API}/", plan_payload(organization_id=located_city.other_enterprise.pk))
    assert r.status_code == 403
    assert not Drill.objects.exists()


def test_signed_out_requests_are_refused(client, plan_payload):
    r = post(client, f"{API}/", plan_payload())
    assert r.status_code == 401
    assert client.get(f"{API}/").status_code == 401


def test_list_filters_by_kind_status_date_and_unit(liu, plan_payload, located_city):
    now = timezone.now()
    ids = {}
    for name, kind, days in [("a", "evacuation", 1), ("b", "tabletop", 10), ("c", "hazard_identification", 40)]:
        ids[name] = post(liu, f"{API}/", plan_payload(
            kind=kind, title=name, scheduled_at=(now + dt.timedelta(days=days)).isoformat())).json()["id"]
    services.drill_start(actor=located_city.officer_liu, drill_id=ids["a"])
    other = services.drill_plan(actor=located_city.other_officer, data=plan_payload(
        organization_id=located_city.other_enterprise.pk, title="other"))

    def titles(query=""):
        r = liu.get(f"{API}/?{query}")
        assert r.status_code == 200, r.content
        return sorted(i["title"] for i in r.json()["items"])

    assert titles() == ["a", "b", "c"]  # never the other unit's drill
    assert titles("kind=tabletop") == ["b"]
    assert titles("status=in_progress") == ["a"]
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assert titles(f"date_from={day}&date_to={day}") == ["b"]
    assert titles(f"org={located_city.enterprise.pk}") == ["a", "b", "c"]
    assert titles(f"org={other.organization_id}") == []
    assert titles("q=b") == ["b"]
    assert liu.get(f"{API}/?kind=party").status_code == 400
    assert liu.get(f"{API}/?date_from=yesterday").status_code == 400
    r = liu.get(f"{API}/?colour=red")
    assert r.status_code == 400 and "colour" in r.json()["extra"]["fields"]


# --- visibility and editing -------------------------------------------------------------------------

def test_regulators_see_drills_in_their_jurisdiction_read_only(client, planned, located_city):
    client.force_login(located_city.inspector_li)  # 金水区 fire brigade: the enterprise is in 金水区
    r = client.get(f"{API}/")
    assert [i["id"] for i in r.json()["items"]] == [planned.pk]
    r = client.get(f"{API}/{planned.pk}")
    assert r.status_code == 200 and r.json()["can_edit"] is False and r.json()["actions"] == []
    before = snapshot(planned)
    r = patch(client, f"{API}/{planned.pk}", {"title": "改名"})
    assert r.status_code == 403
    assert client.post(f"{API}/{planned.pk}/start").status_code == 403
    assert snapshot(planned) == before

    client.force_login(located_city.erqi_wang)  # 二七区: outside
    assert client.get(f"{API}/").json()["items"] == []
    assert client.get(f"{API}/{planned.pk}").status_code == 404


def test_editing_a_drill_of_another_unit_is_refused(client, planned, located_city):
    client.force_login(located_city.other_officer)
    before = snapshot(planned)
    assert patch(client, f"{API}/{planned.pk}", {"title": "改名"}).status_code == 404
    assert post(client, f"{API}/{planned.pk}/record", {"participants": 1}).status_code == 404
    assert post(client, f"{API}/{planned.pk}/cancel", {"reason": "x"}).status_code == 404
    assert snapshot(planned) == before
    assert audit_actions(planned) == ["drill.plan"]


def test_update_a_planned_drill_then_not_once_started(liu, planned):
    r = patch(liu, f"{API}/{planned.pk}", {"planned_participants": 95, "place": "新办公楼"})
    assert r.status_code == 200, r.content
    assert r.json()["planned_participants"] == 95
    assert audit_actions(planned) == ["drill.plan", "drill.update"]
    entry = AuditEntry.objects.filter(action="drill.update").get()
    assert entry.payload["changed"] == {"planned_participants": 95, "place": "新办公楼"}
    assert patch(liu, f"{API}/{planned.pk}", {"planned_participants": -1}).status_code == 400
    assert liu.post(f"{API}/{planned.pk}/start").status_code == 200
    r = patch(liu, f"{API}/{planned.pk}", {"title": "改名"})
    assert r.status_code == 409
    planned.refresh_from_db()
    assert planned.title == "春季消防疏散演练"


# --- on site and the record --------------------------------------------------------------------------

def test_evacuation_drill_from_start_to_record(liu, planned, make_jpeg):
    assert post(liu, f"{API}/{planned.pk}/observations", {"text": "太早"}).status_code == 409  # not started
    r = liu.post(f"{API}/{planned.pk}/start")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert liu.post(f"{API}/{planned.pk}/start").status_code == 409
    r = liu.post(f"{API}/{planned.pk}/observations", {
        "text": "09:03 警报响起，三楼东侧楼梯拥堵",
        "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), content_type="image/jpeg")]})
    assert r.status_code == 201, r.content
    assert len(r.json()["photos"]) == 1
    start = timezone.now() - dt.timedelta(minutes=25)
    r = post(liu, f"{API}/{planned.pk}/record", {
        "started_at": start.isoformat(), "ended_at": (start + dt.timedelta(minutes=22)).isoformat(),
        "participants": 78, "evacuation_seconds": 245, "headcount_expected": 80, "headcount_accounted": 78,
        "headcount_note": "两人外出办事", "went_well": "引导员到位", "problems": "东侧楼梯拥堵"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "recorded"
    assert body["duration_minutes"] == 22
    assert body["evacuation_seconds"] == 245
    assert body["headcount_expected"] == 80 and body["headcount_accounted"] == 78
    assert len(body["observations"]) == 1
    assert audit_actions(planned) == ["drill.plan", "drill.start", "drill.observe", "drill.record"]
    # observations are still welcome on a recorded drill; starting or recording again is not
    assert post(liu, f"{API}/{planned.pk}/observations", {"text": "补记：集合点广播听不清"}).status_code == 201
    assert post(liu, f"{API}/{planned.pk}/record", {"participants": 1}).status_code == 409
    assert audit_verify().ok


def test_record_a_drill_afterwards_straight_from_planned(liu, planned):
    start = timezone.now() - dt.timedelta(days=1)
    r = post(liu, f"{API}/{planned.pk}/record", {
        "started_at": start.isoformat(), "ended_at": (start + dt.timedelta(minutes=40)).isoformat(),
        "participants": 60, "evacuation_seconds": 300, "headcount_expected": 60, "headcount_accounted": 60})
    assert r.status_code == 200, r.content
    assert r.json()["duration_minutes"] == 40


def _record_body(**overrides):
    start = timezone.now() - dt.timedelta(minutes=30)
    body = {"started_at": start.isoformat(), "ended_at": (start + dt.timedelta(minutes=20)).isoformat(),
            "participants": 70, "evacuation_seconds": 200, "headcount_expected": 70, "headcount_accounted": 70}
    body.update(overrides)
    return body


@pytest.mark.parametrize(("overrides", "field"), [
    ({"ended_at": (timezone.now() - dt.timedelta(minutes=40)).isoformat()}, "ended_at"),   # end before start
    ({"ended_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
      "started_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat()}, "ended_at"),  # zero length
    ({"ended_at": (timezone.now() + dt.timedelta(hours=2)).isoformat()}, "ended_at"),      # in the future
    ({"participants": -5}, "participants"),
    ({"participants": None}, "participants"),
    ({"headcount_accounted": 75}, "headcount_accounted"),                                  # > expected, no note
    ({"headcount_expected": -1}, "headcount_expected"),
    ({"evacuation_seconds": None}, "evacuation_seconds"),                                  # evacuation needs it
    ({"started_at": "12:00 yesterday"}, "started_at"),
])
def test_bad_records_are_refused_and_change_nothing(liu, running, overrides, field):
    before = snapshot(running)
    r = post(liu, f"{API}/{running.pk}/record", _record_body(**overrides))
    assert r.status_code == 400, r.content
    assert field in r.json()["extra"]["fields"], r.json()
    assert snapshot(running) == before
    assert audit_actions(running) == ["drill.plan", "drill.start"]


def test_more_people_accounted_than_expected_is_fine_with_a_note(liu, running):
    r = post(liu, f"{API}/{running.pk}/record", _record_body(headcount_accounted=72,
                                                             headcount_note="两名访客随同撤离"))
    assert r.status_code == 200, r.content


def test_invalid_photos_refuse_the_record_and_store_nothing(liu, running, make_jpeg, settings):
    before = snapshot(running)
    bad = SimpleUploadedFile("fake.jpg", b"this is not an image", content_type="image/jpeg")
    cut = SimpleUploadedFile("cut.jpg", make_jpeg()[:600], content_type="image/jpeg")
    r = liu.post(f"{API}/{running.pk}/record", {"data": json.dumps(_record_body()), "photos": [bad, cut]})
    assert r.status_code == 400
    assert len(r.json()["extra"]["fields"]["photos"]) == 2
    assert snapshot(running) == before
    assert not DrillPhoto.objects.exists()
    settings.HAZARDWATCH_MAX_PHOTOS = 1
    two = [SimpleUploadedFile(f"{i}.jpg", make_jpeg(), content_type="image/jpeg") for i in range(2)]
    r = liu.post(f"{API}/{running.pk}/observations", {"text": "两张照片", "photos": two})
    assert r.status_code == 400 and "photos" in r.json()["extra"]["fields"]
    assert not DrillObservation.objects.exists()


def test_valid_record_photos_are_stored_and_served_only_to_viewers(liu, client, running, make_jpeg, located_city):
    r = liu.post(f"{API}/{running.pk}/record", {
        "data": json.dumps(_record_body()),
        "photos": [SimpleUploadedFile("p.jpg", make_jpeg(), content_type="image/jpeg")]})
    assert r.status_code == 200, r.content
    photo = DrillPhoto.objects.get()
    assert photo.width == 640 and photo.content_type == "image/jpeg"
    r = liu.get(f"/staff/drills/photos/{photo.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    client.force_login(located_city.other_officer)
    assert client.get(f"/staff/drills/photos/{photo.pk}/").status_code == 404


def test_cancel_then_recording_a_cancelled_drill_is_refused(liu, planned):
    r = post(liu, f"{API}/{planned.pk}/cancel", {})
    assert r.status_code == 400 and "reason" in r.json()["extra"]["fields"]
    r = post(liu, f"{API}/{planned.pk}/cancel", {"reason": "暴雨红色预警"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    before = snapshot(planned)
    r = post(liu, f"{API}/{planned.pk}/record", _record_body())
    assert r.status_code == 409
    assert "cancelled" in r.json()["message"] or r.json()["message"]
    assert liu.post(f"{API}/{planned.pk}/start").status_code == 409
    assert post(liu, f"{API}/{planned.pk}/cancel", {"reason": "again"}).status_code == 409
    assert post(liu, f"{API}/{planned.pk}/issues", {"description": "安全出口被锁闭"}).status_code == 409
    assert snapshot(planned) == before
    assert audit_actions(planned) == ["drill.plan", "drill.cancel"]


# --- issues become hazards --------------------------------------------------------------------------

def test_an_issue_becomes_a_hazard_report_for_the_organizing_unit(liu, running, located_city, make_jpeg, on_commit):
    with on_commit(execute=True):
        r = liu.post(f"{API}/{running.pk}/issues", {
            "description": "东侧安全出口被杂物堵塞，疏散时无法打开", "category": "escape_route",
            "photos": [SimpleUploadedFile("i.jpg", make_jpeg(), content_type="image/jpeg")]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["case"]["reference"].startswith("HW")
    assert body["case"]["status"] == "new"
    assert len(body["receipt_code"]) >= 16
    report = Report.objects.get()
    assert report.source == "staff"
    assert report.category == "escape_route"
    assert report.reported_unit_id == located_city.enterprise.pk
    assert report.case.responsible_unit_id == located_city.enterprise.pk
    assert report.region.code.startswith("410105")
    assert report.photos.count() == 1
    assert (report.lat, report.lon) == pytest.approx((34.78, 113.68), abs=1e-6)
    assert report.case.regulator_id in (located_city.jinshui_fire.pk, located_city.jinshui_em.pk)
    detail = liu.get(f"{API}/{running.pk}").json()
    assert detail["issues"][0]["case"]["reference"] == body["case"]["reference"]
    assert audit_actions(running)[-1] == "drill.issue"
    # the unit sees the case it is responsible for
    assert liu.get(f"/staff/cases/{report.case_id}/").status_code == 200


def test_an_issue_with_its_own_location(liu, running):
    r = post(liu, f"{API}/{running.pk}/issues", {"description": "配电箱门损坏，线路裸露", "category": "electrical",
                                                "lat": 34.7801, "lon": 113.6805})
    assert r.status_code == 201, r.content
    assert Report.objects.get().lat == pytest.approx(34.7801)


@pytest.mark.parametrize(("data", "field"), [
    ({"description": "坏"}, "description"),
    ({"description": "消防栓无水压力不足", "category": "volcano"}, "category"),
    ({"description": "消防栓无水压力不足", "lat": "x", "lon": "y"}, "location"),
    ({"description": "消防栓无水压力不足", "lat": 48.85, "lon": 2.35}, "location"),  # outside the served area
])
def test_bad_issues_are_refused_and_create_nothing(liu, running, data, field):
    r = post(liu, f"{API}/{running.pk}/issues", data)
    assert r.status_code == 400, r.content
    assert field in r.json()["extra"]["fields"]
    assert not Report.objects.exists() and not DrillIssue.objects.exists()
    assert audit_actions(running) == ["drill.plan", "drill.start"]


def test_an_issue_with_an_invalid_photo_creates_nothing(liu, running):
    r = liu.post(f"{API}/{running.pk}/issues", {
        "description": "东侧安全出口被杂物堵塞", "photos": [SimpleUploadedFile("x.png", b"\x89PNG....", "image/png")]})
    assert r.status_code == 400 and "photos" in r.json()["extra"]["fields"]
    assert not Report.objects.exists() and not DrillIssue.objects.exists()


def test_an_issue_needs_a_location_when_neither_drill_nor_unit_has_one(liu, located_city, plan_payload):
    from hazardwatch.accounts.models import Organization

    Organization.objects.filter(pk=located_city.enterprise.pk).update(lat=None, lon=None)
    drill = services.drill_plan(actor=located_city.officer_liu, data=plan_payload())
    services.drill_start(actor=located_city.officer_liu, drill_id=drill.pk)
    r = post(liu, f"{API}/{drill.pk}/issues", {"description": "东侧安全出口被杂物堵塞"})
    assert r.status_code == 400 and "location" in r.json()["extra"]["fields"]
    assert not Report.objects.exists()


# --- figures ----------------------------------------------------------------------------------------

def test_unit_drill_figures(located_city, plan_payload):
    officer = located_city.officer_liu
    today = timezone.localdate()
    a = services.drill_plan(actor=officer, data=plan_payload())
    services.drill_start(actor=officer, drill_id=a.pk)
    services.drill_report_issue(actor=officer, drill_id=a.pk, data={"description": "安全出口指示灯不亮"})
    services.drill_report_issue(actor=officer, drill_id=a.pk, data={"description": "灭火器压力不足过期"})
    services.drill_record(actor=officer, drill_id=a.pk, data=_record_body(participants=70))
    b = services.drill_plan(actor=officer, data=plan_payload(kind="tabletop"))
    start = timezone.now() - dt.timedelta(days=60)
    services.drill_record(actor=officer, drill_id=b.pk, data={
        "started_at": start.isoformat(), "ended_at": (start + dt.timedelta(hours=1)).isoformat(),
        "participants": 12})
    services.drill_plan(actor=officer, data=plan_payload())  # planned only: not counted
    org = [located_city.enterprise.pk]
    assert selectors.unit_drill_figures(org, today - dt.timedelta(days=7), today) == {
        "drills": 1, "participants": 70, "issues_found": 2}
    assert selectors.unit_drill_figures(org, today - dt.timedelta(days=90), today) == {
        "drills": 2, "participants": 82, "issues_found": 2}
    assert selectors.unit_drill_figures([located_city.other_enterprise.pk], today - dt.timedelta(days=90), today) == {
        "drills": 0, "participants": 0, "issues_found": 0}
    assert selectors.unit_drill_figures([], today, today) == {"drills": 0, "participants": 0, "issues_found": 0}
    assert audit_verify().ok
