"""The recovery rules behind the crash tests, one by one (fast; on SQLite and PostgreSQL).

Who counts as dead, what is re-queued or given up, which files are orphans, and that intake keeps the photo
files of a transaction whose commit outcome is unknown.
"""
import datetime as dt
import json
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hazardwatch.jobs import recovery
from hazardwatch.jobs.models import WorkerHeartbeat
from hazardwatch.reports.models import Report, ReportPhoto

NOW = timezone.now()


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HAZARDWATCH_WORKER_STALE_SECONDS = 60


def beat(worker_id, seconds_ago):
    WorkerHeartbeat.objects.create(worker_id=worker_id, hostname="h", pid=1, started_at=NOW - dt.timedelta(hours=1),
                                   last_seen=NOW - dt.timedelta(seconds=seconds_ago))


def running(*worker_ids):
    from hazardwatch.cases.tasks import cases_check_overdue

    result = cases_check_overdue.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=list(worker_ids),
                                                     started_at=NOW - dt.timedelta(minutes=5))
    return result.id


def status(task_id):
    return DBTaskResult.objects.get(pk=task_id).status


@pytest.mark.django_db
def test_only_the_tasks_of_a_worker_whose_heartbeat_went_stale_are_requeued(db_tasks):
    beat("alive", 10)
    beat("dead", 61)
    live_task, dead_task, unknown_task = running("alive"), running("dead"), running("plain-db-worker")
    handed_over = running("dead", "alive")  # the dead worker had it before; the live one claimed it since

    assert recovery.tasks_recover(now=NOW) == 1
    assert status(dead_task) == "READY"
    assert status(live_task) == status(unknown_task) == status(handed_over) == "RUNNING"
    assert recovery.tasks_recover(now=NOW) == 0  # once


@pytest.mark.django_db
def test_a_worker_never_takes_itself_for_dead(db_tasks):
    beat("me", 120)  # my own beat waited on a lock
    task = running("me")
    assert recovery.tasks_recover(now=NOW, alive="me") == 0 and status(task) == "RUNNING"


@pytest.mark.django_db
def test_a_task_that_killed_its_worker_five_times_is_given_up(db_tasks):
    for n in range(5):
        beat(f"w{n}", 300)
    task = running(*(f"w{n}" for n in range(5)))
    assert recovery.tasks_recover(now=NOW) == 1
    row = DBTaskResult.objects.get(pk=task)
    assert row.status == "FAILED" and row.exception_class_path.endswith("WorkerLost") and "5 times" in row.traceback


@pytest.mark.django_db
def test_heartbeats_of_long_gone_workers_are_pruned_unless_a_task_still_names_them(db_tasks):
    beat("gone", 3 * 86400)
    beat("gone-with-task", 3 * 86400)
    beat("recent", 10)
    running("gone-with-task")
    assert recovery.heartbeats_prune(now=NOW) == 1
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"gone-with-task", "recent"}


def _report_with_photo(client, make_jpeg):
    resp = client.post("/api/v1/reports", {
        "data": json.dumps({"description": "配电箱电线老化裸露", "latitude": 34.78, "longitude": 113.672}),
        "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})
    assert resp.status_code == 201, resp.content
    return ReportPhoto.objects.get()


@pytest.mark.django_db
def test_orphan_photo_files_older_than_the_limit_are_swept_and_referenced_ones_kept(client, city, make_jpeg):
    photo = _report_with_photo(client, make_jpeg)
    orphan = default_storage.save("private/reports/2026/06/orphan.jpg", ContentFile(make_jpeg()))
    evidence = default_storage.save("private/cases/2026/06/other.jpg", ContentFile(make_jpeg()))  # not ours to judge

    assert recovery.media_orphans() == []  # younger than an hour: may belong to a request in flight
    later = timezone.now() + dt.timedelta(hours=2)
    assert recovery.media_orphans(now=later) == [orphan]
    assert recovery.media_orphans_delete(min_age=dt.timedelta(0)) == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(photo.original.name) and default_storage.exists(evidence)


@pytest.mark.django_db(transaction=True)
def test_lost_photo_tasks_are_enqueued_again_once(client, city, make_jpeg, db_tasks):
    photo = _report_with_photo(client, make_jpeg)
    DBTaskResult.objects.all().delete()  # the process died between the commit and the enqueue
    later = timezone.now() + dt.timedelta(hours=1)
    assert recovery.photos_requeue_lost(now=later) == 1
    assert recovery.photos_requeue_lost(now=later) == 0  # already waiting: not doubled
    assert DBTaskResult.objects.get().args_kwargs["args"] == [photo.report_id]


@pytest.mark.django_db(transaction=True)
def test_intake_keeps_photo_files_when_the_commit_outcome_is_unknown(client, city, make_jpeg):
    """The database dies while answering COMMIT: the rows may be stored, so their files must stay."""
    from hazardwatch.reports import services as report_services

    lost_broker = mock.Mock(**{"enqueue.side_effect": ConnectionError("broker gone after the commit")})
    with mock.patch("hazardwatch.reports.tasks.report_photos_process", lost_broker):
        with pytest.raises(ConnectionError):
            report_services.report_submit(report_services.ReportInput(
                description="配电箱电线老化裸露", latitude=34.78, longitude=113.672,
                photos=[SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]))
    photo = ReportPhoto.objects.get()  # committed before the failure
    assert Report.objects.count() == 1 and default_storage.exists(photo.original.name)


@pytest.mark.django_db(transaction=True)
def test_intake_removes_photo_files_when_the_transaction_fails_before_commit(client, city, make_jpeg):
    from hazardwatch.reports import services as report_services

    with mock.patch("hazardwatch.cases.services.case_open_for_report", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            report_services.report_submit(report_services.ReportInput(
                description="配电箱电线老化裸露", latitude=34.78, longitude=113.672,
                photos=[SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]))
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0
    assert recovery.media_orphans(min_age=dt.timedelta(0)) == []
