"""Crash recovery: tasks whose worker died, photos whose processing task was lost, files no row refers to.

Why this exists: django_tasks_db claims a task by marking it RUNNING and never looks at it again, so a
worker killed in the middle of a task (SIGKILL, OOM killer, power loss on its node) leaves the task
RUNNING forever. Each `hazardwatch worker` process therefore keeps a `WorkerHeartbeat` row fresh, and every
worker puts back in the queue the RUNNING tasks whose claiming worker's heartbeat went stale. The tasks
themselves are written so that running one again has its effect once (a row lock plus a state check, or
a unique row written before the side effect).

Staleness is measured with each host's clock (heartbeats are written with `timezone.now()`), so hosts must
keep their clocks in sync (NTP) to well under HAZARDWATCH_WORKER_STALE_SECONDS.
"""
import logging
import os
import secrets
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger("hazardwatch.jobs")

# A task whose worker died this many times is marked failed instead of being run again: it may be what
# kills its worker (memory, a crash in a C library), and running it forever would starve the queue.
MAX_WORKER_DEATHS = 5
# Files of an unfinished intake are written before its transaction commits; files younger than this are never
# taken for orphans, so a request still in flight keeps its files.
ORPHAN_MIN_AGE = timedelta(hours=1)
# Photos still unprocessed this long after intake get their processing task enqueued again.
PHOTO_TASK_LOST_AFTER = timedelta(minutes=15)
# Reports still without a case this long after intake get their triage task enqueued again (RQ: lost between the
# commit and the enqueue; any backend: a triage that failed).
TRIAGE_TASK_LOST_AFTER = timedelta(minutes=10)
# Media folders written by report intake and photo processing only (see reports.models.photo_path).
REPORT_MEDIA_DIRS = ("private/reports", "derived/reports")


class WorkerLost(Exception):
    """Recorded on a task given up after its worker died MAX_WORKER_DEATHS times."""


def worker_id_new() -> str:
    """A worker id that says where the worker runs (host, pid) and stays unique (at most 64 characters)."""
    host = socket.gethostname().split(".")[0][:32]
    return f"hw-{host}-{os.getpid()}-{secrets.token_hex(4)}"


def worker_beat(worker_id: str) -> None:
    """Create or refresh this worker's heartbeat row."""
    from hazardwatch.jobs.models import WorkerHeartbeat

    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.create(worker_id=worker_id, hostname=socket.gethostname()[:255], pid=os.getpid(),
                                       started_at=now, last_seen=now)


def _stale() -> timedelta:
    return timedelta(seconds=settings.HAZARDWATCH_WORKER_STALE_SECONDS)


def tasks_recover(*, now=None, alive: str = "") -> int:
    """Put back in the queue each RUNNING task whose claiming worker's heartbeat is older than the stale limit.

    Only tasks claimed by a worker that registered a heartbeat are considered: a task claimed by a plain
    `db_worker` (no heartbeat) is never touched, since nothing says whether that worker lives. The update is a
    compare-and-set on (status, started_at), so two workers recovering at once re-queue a task once, and a task
    claimed again meanwhile is left alone. `alive` is the calling worker's own id: a worker never takes itself
    for dead (its own beat may have waited on a database lock). Returns the number of tasks re-queued or given up.
    """
    from django_tasks_db.models import DBTaskResult

    from hazardwatch.jobs.models import WorkerHeartbeat

    now = now or timezone.now()
    running = list(DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids", "started_at"))
    claimers = {row.worker_ids[-1] for row in running if row.worker_ids} - {alive}
    if not claimers:
        return 0
    dead = set(WorkerHeartbeat.objects.filter(worker_id__in=claimers, last_seen__lt=now - _stale())
               .values_list("worker_id", flat=True))
    count = 0
    for row in running:
        if not row.worker_ids or row.worker_ids[-1] not in dead:
            continue
        same_claim = DBTaskResult.objects.filter(pk=row.pk, status="RUNNING", started_at=row.started_at)
        if len(row.worker_ids) >= MAX_WORKER_DEATHS:
            changed = same_claim.update(
                status="FAILED", finished_at=now, return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: the worker running this task died {len(row.worker_ids)} times "
                          f"({', '.join(row.worker_ids)}); not run again.")
            if changed:
                logger.error("task %s given up: its worker died %d times", row.pk, len(row.worker_ids))
        else:
            changed = same_claim.update(status="READY")
            if changed:
                logger.warning("task %s re-queued: worker %s stopped beating", row.pk, row.worker_ids[-1])
        count += changed
    return count


def heartbeats_prune(*, now=None, keep=timedelta(days=1)) -> int:
    """Delete heartbeat rows of workers gone for longer than `keep` that no RUNNING task names any more."""
    from django_tasks_db.models import DBTaskResult

    from hazardwatch.jobs.models import WorkerHeartbeat

    now = now or timezone.now()
    named = {row[-1] for row in DBTaskResult.objects.filter(status="RUNNING").values_list("worker_ids", flat=True)
             if row}
    old = WorkerHeartbeat.objects.filter(last_seen__lt=now - keep).exclude(worker_id__in=named)
    return old.delete()[0]


class Heartbeat:
    """The thread a worker runs beside its task loop: beat, and recover the tasks of dead workers."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def start(self) -> None:
        worker_beat(self.worker_id)  # registered before the first claim, so its tasks are recoverable
        recovered = tasks_recover(alive=self.worker_id)
        if recovered:
            logger.warning("worker %s: %d task(s) of dead workers re-queued at start", self.worker_id, recovered)
        threading.Thread(target=self._run, name="hazardwatch-heartbeat", daemon=True).start()

    def stop(self) -> None:
        """The worker finished (batch mode, graceful shutdown): no more beats; its row goes stale harmlessly."""
        self.stopped.set()

    def _run(self) -> None:
        interval = max(0.2, float(settings.HAZARDWATCH_WORKER_HEARTBEAT_SECONDS))
        while not self.stopped.wait(interval):
            try:
                close_old_connections()
                worker_beat(self.worker_id)
                tasks_recover(alive=self.worker_id)
            except Exception:  # the database may be restarting: keep beating once it is back
                logger.exception("worker %s: heartbeat failed", self.worker_id)
                time.sleep(interval)


def photos_requeue_lost(*, now=None, lost_after: timedelta = PHOTO_TASK_LOST_AFTER) -> int:
    """Enqueue again the processing of photos still unprocessed long after intake.

    The task is enqueued on commit, so a process killed between the commit and the enqueue loses it. Running it
    twice is harmless (it skips processed photos). With the database backend, reports whose task is still
    waiting or running are skipped, so a long queue is not doubled. Returns the number of reports re-enqueued.
    """
    from hazardwatch.reports import tasks as report_tasks
    from hazardwatch.reports.models import ReportPhoto

    now = now or timezone.now()
    report_ids = set(ReportPhoto.objects.filter(stripped="", report__submitted_at__lt=now - lost_after)
                     .values_list("report_id", flat=True).distinct())
    return _requeue(report_tasks.report_photos_process, report_ids)


def triage_requeue_lost(*, now=None, lost_after: timedelta = TRIAGE_TASK_LOST_AFTER) -> int:
    """Enqueue again the triage of reports received long ago and still without a case (see
    reports.services.report_submit's `defer_triage`). The task is idempotent; with the database backend, reports
    whose task is still waiting or running are skipped. Returns the number of reports re-enqueued."""
    from hazardwatch.reports import tasks as report_tasks
    from hazardwatch.reports.models import Report

    now = now or timezone.now()
    report_ids = set(Report.objects.filter(case__isnull=True, submitted_at__lt=now - lost_after)
                     .values_list("pk", flat=True))
    count = _requeue(report_tasks.report_triage, report_ids)
    if count:
        logger.warning("%d report(s) without a case: triage enqueued again", count)
    return count


def _requeue(task, report_ids: set) -> int:
    """Enqueue `task` for each report id not already waiting or running; returns how many were enqueued."""
    if not report_ids:
        return 0
    report_ids = report_ids - _queued_args(task)
    for report_id in sorted(report_ids):
        task.enqueue(report_id)
    return len(report_ids)


def _queued_args(task) -> set:
    """First arguments of the waiting or running runs of `task` (database backend only; empty otherwise)."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return set()
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=task.module_path, status__in=["READY", "RUNNING"])
    return {row["args"][0] for row in rows.values_list("args_kwargs", flat=True) if row.get("args")}


def media_orphans(*, min_age: timedelta = ORPHAN_MIN_AGE, now=None) -> list[str]:
    """Report photo files (originals and derivatives) that no ReportPhoto row refers to, older than `min_age`.

    Intake writes a photo's file before its transaction commits (so a committed row always has its file); a
    process killed in between leaves a file no row refers to. Such a file belongs to a submission that was never
    acknowledged, and it may carry the reporter's EXIF, so it must not stay.
    """
    from django.core.files.storage import default_storage

    from hazardwatch.reports.models import ReportPhoto

    now = now or timezone.now()
    referenced = set()
    for names in ReportPhoto.objects.values_list("original", "stripped", "thumbnail").iterator():
        referenced.update(n for n in names if n)
    orphans = []
    for top in REPORT_MEDIA_DIRS:
        for name in _walk(default_storage, top):
            if name in referenced:
                continue
            try:
                modified = default_storage.get_modified_time(name)
            except (OSError, NotImplementedError):
                continue
            if now - modified >= min_age:
                orphans.append(name)
    return orphans


def _walk(storage, top: str):
    try:
        dirs, files = storage.listdir(top)
    except (FileNotFoundError, NotADirectoryError):
        return
    for f in files:
        yield f"{top}/{f}"
    for d in dirs:
        yield from _walk(storage, f"{top}/{d}")


def media_orphans_delete(*, min_age: timedelta = ORPHAN_MIN_AGE) -> int:
    """Delete the orphan report photo files (see media_orphans); returns how many."""
    from django.core.files.storage import default_storage

    names = media_orphans(min_age=min_age)
    for name in names:
        default_storage.delete(name)
    if names:
        logger.warning("%d orphan report photo file(s) removed", len(names))
    return len(names)


def recovery_sweep() -> dict:
    """The periodic part (jobs/schedules.py): lost triage and photo tasks, orphan files, old heartbeat rows.
    (Tasks of dead workers are recovered by the heartbeat threads, which know their own worker id.)"""
    return {"triage_requeued": triage_requeue_lost(), "photos_requeued": photos_requeue_lost(),
            "orphans_deleted": media_orphans_delete(), "heartbeats_pruned": heartbeats_prune()}
