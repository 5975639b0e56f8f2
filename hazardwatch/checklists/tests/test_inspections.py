"""Inspections by regulators: scheduling (one-off, recurring, unannounced), the periodic job, missed and late."""
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from hazardwatch.checklists.models import Inspection, InspectionSchedule
from hazardwatch.checklists.services import add_interval, inspections_periodic
from hazardwatch.checklists.tests.conftest import answer_all

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_add_interval_keeps_the_day_within_the_month():
    assert add_interval(dt.date(2026, 1, 31), "monthly", 1) == dt.date(2026, 2, 28)
    assert add_interval(dt.date(2026, 1, 31), "monthly", 2) == dt.date(2026, 3, 31)
    assert add_interval(dt.date(2026, 11, 15), "quarterly", 1) == dt.date(2027, 2, 15)
    assert add_interval(dt.date(2026, 1, 1), "weekly", 2) == dt.date(2026, 1, 15)


def test_schedule_validation_and_jurisdiction(client, city, templates):
    today = timezone.localdate()
    client.force_login(city.inspector_li)
    good = {"unit_id": city.enterprise.pk, "template": "enterprise", "interval": "once",
            "due_date": (today + dt.timedelta(days=3)).isoformat()}
    bad = post(client, "/api/v1/checklists/inspections", {**good, "template": "nope", "interval": "hourly",
                                                           "due_date": "tomorrow"})
    assert bad.status_code == 400
    assert set(bad.json()["extra"]["fields"]) == {"template", "interval", "due_date"}
    past = post(client, "/api/v1/checklists/inspections", {**good, "due_date": (today - dt.timedelta(days=1)).isoformat()})
    assert past.status_code == 400
    outside = post(client, "/api/v1/checklists/inspections", {**good, "unit_id": city.other_enterprise.pk})  # 二七区
    assert outside.status_code == 403
    regulator = post(client, "/api/v1/checklists/inspections", {**good, "unit_id": city.jinshui_em.pk})
    assert regulator.status_code == 400
    assert post(client, "/api/v1/checklists/inspections", good).status_code == 201
    # units and anonymous callers cannot schedule or list
    client.force_login(city.officer_liu)
    assert post(client, "/api/v1/checklists/inspections", good).status_code == 403
    assert client.get("/api/v1/checklists/inspections").status_code == 403
    client.logout()
    assert client.get("/api/v1/checklists/inspections").status_code == 401


def test_unannounced_inspection_is_hidden_from_the_unit_until_done(client, city, templates):
    today = timezone.localdate()
    client.force_login(city.inspector_li)
    for announced in (True, False):
        resp = post(client, "/api/v1/checklists/inspections", {
            "unit_id": city.enterprise.pk, "template": "enterprise", "interval": "once", "announced": announced,
            "due_date": (today + dt.timedelta(days=5)).isoformat()})
        assert resp.status_code == 201
    surprise = Inspection.objects.get(announced=False)
    client.force_login(city.officer_liu)
    seen = client.get("/api/v1/checklists/unit-inspections").json()
    assert [i["announced"] for i in seen["items"]] == [True]
    page = client.get("/checklists/").content.decode()
    assert page.count("企业安全自查清单") >= 1 and "unit-inspections" in page

    # the inspector runs it on site with the same runner, credited to the unit
    client.force_login(city.inspector_li)
    resp = client.post(f"/staff/checklists/inspections/{surprise.pk}/start/")
    assert resp.status_code == 303
    surprise.refresh_from_db()
    run = surprise.run
    assert run.unit_id == city.enterprise.pk and run.user_id == city.inspector_li.pk
    assert client.get(resp["Location"]).status_code == 200
    answer_all(run)
    assert client.post(resp["Location"], {"action": "complete"}).status_code == 303
    surprise.refresh_from_db()
    assert surprise.status == "done" and not surprise.is_late
    client.force_login(city.officer_liu)
    seen = client.get("/api/v1/checklists/unit-inspections").json()["items"]
    assert sorted(i["announced"] for i in seen) == [False, True]
    # another district's inspector cannot start it
    client.force_login(city.erqi_wang)
    assert client.post(f"/staff/checklists/inspections/{surprise.pk}/start/").status_code == 404


def test_recurring_schedule_job_creates_occurrences_and_marks_missed_and_late(client, city, templates):
    today = timezone.localdate()
    client.force_login(city.inspector_li)
    first_due = today + dt.timedelta(days=1)
    resp = client.post("/staff/checklists/", {"unit_id": city.enterprise.pk, "template": "enterprise",
                                              "interval": "monthly", "due_date": first_due.isoformat(),
                                              "announced": "1"})
    assert resp.status_code == 303, resp.content
    schedule = InspectionSchedule.objects.get()
    assert list(schedule.occurrences.values_list("due_date", flat=True)) == [first_due]

    # two months on: the first two occurrences are missed, the third is created ahead, nothing twice
    later = add_interval(first_due, "monthly", 1) + dt.timedelta(days=1)
    result = inspections_periodic(later)
    assert result == {"created": 2, "missed": 2}
    assert inspections_periodic(later) == {"created": 0, "missed": 0}
    dues = list(schedule.occurrences.order_by("due_date").values_list("due_date", "status"))
    assert dues == [(first_due, "missed"), (add_interval(first_due, "monthly", 1), "missed"),
                    (add_interval(first_due, "monthly", 2), "due")]

    # doing a missed inspection afterwards makes it late
    missed = schedule.occurrences.order_by("due_date").first()
    from hazardwatch.checklists.services import inspection_start, run_complete

    run = inspection_start(actor=city.inspector_li, inspection_id=missed.pk)
    answer_all(run, hazard_on={"exits-locked"})
    Inspection.objects.filter(pk=missed.pk).update(due_date=today - dt.timedelta(days=3))
    run_complete(run=run, user=city.inspector_li)
    missed.refresh_from_db()
    assert missed.status == "done" and missed.is_late

    states = {s: client.get(f"/api/v1/checklists/inspections?state={s}").json()["count"]
              for s in ("due", "missed", "late", "done", "all")}
    assert states == {"due": 1, "missed": 1, "late": 1, "done": 1, "all": 3}
    assert client.get("/api/v1/checklists/inspections?state=bogus").status_code == 400
    page = client.get("/staff/checklists/?state=late")
    assert page.status_code == 200 and 'data-late="1"' in page.content.decode()
    assert 'data-status="missed"' in client.get("/staff/checklists/?state=missed").content.decode()
    # other districts see none of it
    client.force_login(city.erqi_wang)
    assert client.get("/api/v1/checklists/inspections").json()["count"] == 0

    # the command runs the same job
    call_command("checklists", "inspections", "--today", later.isoformat())


def test_staff_schedule_form_errors_are_400(client, city, templates):
    client.force_login(city.inspector_li)
    resp = client.post("/staff/checklists/", {"unit_id": "", "template": "enterprise", "interval": "monthly",
                                              "due_date": "2020-01-01"})
    assert resp.status_code == 400
    client.force_login(city.officer_liu)
    assert client.get("/staff/checklists/").status_code == 403
