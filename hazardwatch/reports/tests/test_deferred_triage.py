"""Intake acknowledges what must be durable and leaves triage to the worker (DESIGN.md §4): with the database
task backend (production's default) a report is stored with its receipt audit entry and its triage task in one
transaction; the worker opens and routes the case once, however often the task runs."""
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from hazardwatch.cases.models import Case
from hazardwatch.core.models import AuditEntry
from hazardwatch.reports.models import Report

JINSHUI = {"latitude": 34.78, "longitude": 113.672}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _queued():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path="hazardwatch.reports.tasks.report_triage")
                .values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_report_is_acknowledged_before_triage_and_the_worker_opens_its_case(client, city, db_tasks):
    resp = post_json(client, "/api/v1/reports", {"description": "商场安全出口被货物堵死了", **JINSHUI,
                                                 "category": "escape_route", "place_type": "shop"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "received" and body["reference"] == ""
    report = Report.objects.get()
    assert report.case is None and report.sector_guess == ""
    receipt = AuditEntry.objects.get(action="report.receive")
    assert receipt.object_id == str(report.pk) and receipt.payload == {"source": "api", "photos": 0}
    assert _queued() == ["READY"]

    # Before the worker: the reporter sees "received"; there is nothing to dispute or confirm yet.
    lookup = post_json(client, "/api/v1/reports/lookup", {"receipt_code": body["receipt_code"]})
    assert lookup.status_code == 200
    assert lookup.json()["status"] == "received" and lookup.json()["history"][0]["action"] == "receive"
    dispute = post_json(client, "/api/v1/reports/dispute", {"receipt_code": body["receipt_code"], "reason": "x"})
    assert dispute.status_code == 409
    page = client.post("/status/", {"receipt_code": body["receipt_code"]})
    assert page.status_code == 200

    call_command("worker", "--batch", "--no-schedule")
    report.refresh_from_db()
    assert report.case is not None and report.case.regulator == city.jinshui_fire
    assert report.sector_guess == "fire" and _queued() == ["SUCCESSFUL"]
    assert AuditEntry.objects.filter(action="case.open", object_id=str(report.case_id)).count() == 1
    lookup = post_json(client, "/api/v1/reports/lookup", {"receipt_code": body["receipt_code"]})
    assert lookup.json()["status"] == "new" and lookup.json()["reference"] == report.case.reference

    # Run again (a worker died after the effect, or the sweep queued it twice): still one case.
    from hazardwatch.reports.tasks import report_triage

    report_triage.enqueue(report.pk)
    call_command("worker", "--batch", "--no-schedule")
    assert Case.objects.count() == 1 and AuditEntry.objects.filter(action="case.open").count() == 1
    call_command("audit", "verify")


@pytest.mark.django_db(transaction=True)
def test_web_form_and_device_reports_are_triaged_by_the_worker(client, city, db_tasks, make_jpeg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post("/report/", {"description": "楼道里堆满了纸箱，堵住了消防通道", "latitude": "34.78",
                                    "longitude": "113.672", "crs": "wgs84", "category": "escape_route",
                                    "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})
    assert resp.status_code == 303, resp.content[:500]
    done = client.get(resp["Location"])
    assert done.status_code == 200
    assert Report.objects.get().case is None
    call_command("worker", "--batch", "--no-schedule")
    report = Report.objects.get()
    assert report.case is not None and report.photos.get().stripped


@pytest.mark.django_db(transaction=True)
def test_follow_reference_is_still_checked_inline(client, city, db_tasks):
    resp = post_json(client, "/api/v1/reports", {"description": "燃气管道有异味", **JINSHUI, "category": "gas",
                                                 "follow_reference": "HZ-NOPE"})
    assert resp.status_code == 400 and "follow_reference" in resp.json()["extra"]["fields"]
    assert not Report.objects.exists() and _queued() == []


@pytest.mark.django_db(transaction=True)
def test_recovery_sweep_enqueues_triage_lost_after_commit(client, city, db_tasks):
    """With RQ the task is sent after the commit; a process killed in between loses it. The sweep finds reports
    without a case after TRIAGE_TASK_LOST_AFTER, skips those still queued, and enqueues the rest."""
    from django_tasks_db.models import DBTaskResult

    from hazardwatch.jobs import recovery

    post_json(client, "/api/v1/reports", {"description": "配电箱门坏了电线外露", **JINSHUI})
    later = timezone.now() + recovery.TRIAGE_TASK_LOST_AFTER + dt.timedelta(minutes=1)
    assert recovery.triage_requeue_lost(now=later) == 0  # its task is still waiting
    DBTaskResult.objects.all().delete()  # lost
    assert recovery.triage_requeue_lost() == 0  # too young to be taken for lost
    assert recovery.triage_requeue_lost(now=later) == 1
    call_command("worker", "--batch", "--no-schedule")
    assert Report.objects.get().case is not None
    assert recovery.triage_requeue_lost(now=later) == 0
