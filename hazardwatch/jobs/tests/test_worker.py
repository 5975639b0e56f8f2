"""The worker runs queued tasks from the database backend (what `hazardwatch worker` does in production)."""
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from hazardwatch.cases.models import Case


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_overdue_check_and_photo_processing(client, city, db_tasks, make_jpeg):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult

    from hazardwatch.cases.tasks import cases_check_overdue
    from hazardwatch.reports.models import ReportPhoto

    resp = client.post("/api/v1/reports", {
        "data": json.dumps({"description": "配电箱电线老化裸露", "latitude": 34.78, "longitude": 113.672,
                            "category": "fire_equipment"}),
        "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})
    assert resp.status_code == 201 and resp.json()["status"] == "received"
    photo = ReportPhoto.objects.get()
    assert not photo.stripped and not Case.objects.exists()  # queued: triage and photo processing
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    call_command("worker", "--batch", "--no-schedule")
    assert Case.objects.count() == 1
    photo.refresh_from_db()
    assert photo.stripped and photo.thumbnail
    Case.objects.update(deadline=timezone.now() - dt.timedelta(minutes=5))
    cases_check_overdue.enqueue()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("worker", "--batch", "--no-schedule")
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    case = Case.objects.get()
    assert case.is_overdue and case.escalation_level == 1


@pytest.mark.django_db
def test_overdue_command_escalates_once(city, client, capsys):
    client.post("/api/v1/reports", data=json.dumps({"description": "楼道堆放杂物堵塞通道", "latitude": 34.78,
                                                    "longitude": 113.672, "category": "escape_route"}),
                content_type="application/json")
    Case.objects.update(deadline=timezone.now() - dt.timedelta(days=1))
    call_command("overdue")
    call_command("overdue")
    assert "1 cases escalated" in capsys.readouterr().out
    case = Case.objects.get()
    assert case.supervising_regulator == city.city_fire and case.escalation_level == 1
