"""Drill pages through the Django test client: list and filters, plan form, detail with timeline, on-site
observation and issue forms, the record form, regulators' read-only view and the Excel export."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from hazardwatch.drills import services
from hazardwatch.drills.models import Drill, DrillObservation
from hazardwatch.drills.tests.conftest import local
from hazardwatch.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_signed_out_users_are_sent_to_the_login_page(client):
    r = client.get("/staff/drills/")
    assert r.status_code == 302 and "/staff/login/" in r["Location"]


def test_plan_form_creates_a_drill_and_shows_field_errors(en, located_city, plan_payload):
    en.force_login(located_city.officer_liu)
    r = en.get("/staff/drills/new/")
    assert r.status_code == 200 and b"data-plan-form" in r.content
    bad = plan_payload(planned_participants="-4", scheduled_at="")
    r = en.post("/staff/drills/new/", bad)
    assert r.status_code == 400
    text = r.content.decode()
    assert "Enter a number that is not negative." in text and "This field is required." in text
    assert 'value="春季消防疏散演练"' in text  # what was typed is kept
    assert not Drill.objects.exists()
    r = en.post("/staff/drills/new/", plan_payload())
    assert r.status_code == 303
    drill = Drill.objects.get()
    assert r["Location"] == f"/staff/drills/{drill.pk}/"
    r = en.get(r["Location"])
    assert r.status_code == 200
    assert b'data-drill-status="planned"' in r.content and b'data-event="plan"' in r.content


def test_list_filters_and_nav(en, located_city, plan_payload):
    officer = located_city.officer_liu
    services.drill_plan(actor=officer, data=plan_payload(title="疏散A"))
    services.drill_plan(actor=officer, data=plan_payload(title="桌面推演B", kind="tabletop"))
    en.force_login(officer)
    r = en.get("/staff/drills/")
    assert r.status_code == 200
    assert b'data-count="2"' in r.content and b'href="/staff/drills/"' in r.content  # nav link
    r = en.get("/staff/drills/?kind=tabletop")
    assert b'data-count="1"' in r.content and "桌面推演B" in r.content.decode()
    r = en.get("/staff/drills/?status=recorded")
    assert b'data-count="0"' in r.content
    r = en.get("/staff/drills/?date_from=soon")
    assert r.status_code == 400 and b"Enter a date like 2026-06-12." in r.content


def test_on_site_flow_through_the_forms(en, located_city, planned, make_jpeg):
    en.force_login(located_city.officer_liu)
    url = f"/staff/drills/{planned.pk}/"
    r = en.post(url + "observe/", {"text": "未开始"})
    assert r.status_code == 409
    assert en.post(url + "start/").status_code == 303
    r = en.post(url + "observe/", {"text": ""})
    assert r.status_code == 400 and b"This field is required." in r.content
    r = en.post(url + "observe/", {"text": "三楼楼梯口拥堵", "photos": [
        SimpleUploadedFile("a.jpg", make_jpeg(), content_type="image/jpeg")]})
    assert r.status_code == 303
    r = en.post(url + "observe/", {"text": "坏照片", "photos": [SimpleUploadedFile("a.jpg", b"nope", "image/jpeg")]})
    assert r.status_code == 400 and b"is not a JPEG, PNG or WebP image" in r.content
    assert DrillObservation.objects.count() == 1
    r = en.post(url + "issues/", {"description": "东侧安全出口被杂物堵塞", "category": "escape_route"})
    assert r.status_code == 303
    report = Report.objects.get()
    page = en.get(url).content.decode()
    assert f'data-case-reference>{report.case.reference}<' in page
    assert 'data-case-status="new"' in page
    assert 'data-event="observation"' in page and 'data-event="issue"' in page and 'data-event="start"' in page
    r = en.get(url + "record/")
    assert r.status_code == 200 and b"data-evacuation-required" in r.content
    start = timezone.now() - dt.timedelta(minutes=20)
    form = {"started_at": local(start), "ended_at": local(start - dt.timedelta(minutes=5)), "participants": "78",
            "evacuation_seconds": "240", "headcount_expected": "80", "headcount_accounted": "81"}
    r = en.post(url + "record/", form)
    assert r.status_code == 400
    text = r.content.decode()
    assert "The end must be after the start." in text
    assert "More people accounted for than expected" in text
    planned.refresh_from_db()
    assert planned.status == "in_progress"
    form.update(ended_at=local(start + dt.timedelta(minutes=18)), headcount_accounted="78")
    r = en.post(url + "record/", form)
    assert r.status_code == 303, r.content.decode()[:2000]
    page = en.get(url).content.decode()
    assert 'data-drill-status="recorded"' in page
    assert 'data-duration="18"' in page and 'data-evacuation="240"' in page
    assert "2 missing" in page


def test_cancelled_drill_cannot_be_recorded_from_the_form(en, located_city, planned):
    en.force_login(located_city.officer_liu)
    url = f"/staff/drills/{planned.pk}/"
    assert en.post(url + "cancel/", {"reason": ""}).status_code == 400
    assert en.post(url + "cancel/", {"reason": "台风预警"}).status_code == 303
    r = en.get(url + "record/")
    assert r.status_code == 409 and b"cannot be recorded" in r.content
    r = en.post(url + "record/", {"participants": "3", "started_at": local(timezone.now())})
    assert r.status_code == 409
    planned.refresh_from_db()
    assert planned.status == "cancelled" and planned.participants is None


def test_regulator_sees_unit_drills_read_only_and_exports(en, located_city, planned):
    en.force_login(located_city.inspector_li)
    r = en.get("/staff/drills/")
    assert r.status_code == 200 and b'data-count="1"' in r.content
    r = en.get(f"/staff/drills/{planned.pk}/")
    assert r.status_code == 200 and b"data-read-only" in r.content and b"data-observe-form" not in r.content
    assert en.get(f"/staff/drills/{planned.pk}/edit/").status_code == 403
    assert en.post(f"/staff/drills/{planned.pk}/start/").status_code == 403
    # a regulator may plan its own department's drills, never a unit's
    r = en.get("/staff/drills/new/")
    assert r.status_code == 200 and located_city.enterprise.name not in r.content.decode()
    r = en.post("/staff/drills/new/", {"organization_id": located_city.enterprise.pk, "kind": "evacuation"})
    assert r.status_code == 403
    assert Drill.objects.count() == 1
    r = en.get("/staff/drills/export.xlsx?kind=evacuation")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "Organizing unit"
    assert rows[2][0] == located_city.enterprise.name and rows[2][2] == "春季消防疏散演练"
    assert len(rows) == 3
    r = en.get("/staff/drills/export.xlsx?kind=tabletop")
    assert len(list(load_workbook(io.BytesIO(r.content)).active.iter_rows())) == 2
    assert en.get("/staff/drills/export.xlsx?status=bogus").status_code == 400
    planned.refresh_from_db()
    assert planned.status == "planned"


def test_other_units_and_outside_regulators_get_not_found(client, located_city, planned):
    for user in (located_city.other_officer, located_city.erqi_wang):
        client.force_login(user)
        assert client.get(f"/staff/drills/{planned.pk}/").status_code == 404
        assert client.post(f"/staff/drills/{planned.pk}/edit/", {"title": "x"}).status_code == 404
        assert client.get(f"/staff/drills/{planned.pk}/record/").status_code == 404
    planned.refresh_from_db()
    assert planned.title == "春季消防疏散演练"


def test_edit_form_changes_a_planned_drill(en, located_city, planned):
    en.force_login(located_city.officer_liu)
    r = en.get(f"/staff/drills/{planned.pk}/edit/")
    assert r.status_code == 200 and "春季消防疏散演练" in r.content.decode()
    data = {"kind": "evacuation", "title": "春季疏散（改期）", "scenario": planned.scenario,
            "scheduled_at": local(planned.scheduled_at + dt.timedelta(days=1)), "place": planned.place,
            "planned_minutes": "45", "planned_participants": "90", "participant_groups": ""}
    assert en.post(f"/staff/drills/{planned.pk}/edit/", data).status_code == 303
    planned.refresh_from_db()
    assert planned.title == "春季疏散（改期）" and planned.planned_minutes == 45
    r = en.post(f"/staff/drills/{planned.pk}/edit/", {**data, "planned_minutes": "-1"})
    assert r.status_code == 400
