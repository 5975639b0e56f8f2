"""hazardwatch worker: run background tasks and enqueue the periodic jobs, whichever task backend is configured.

- database backend (the embedded default): django-tasks-db's `db_worker`;
- RQ on Redis (HAZARDWATCH_TASKS=rq, docs/deploy.md): django-rq's `rqworker` with django-tasks-rq's job class
  and RQ's scheduler (deferred tasks such as webhook retries need it).

Several workers may run on several machines: each periodic job is enqueued once per interval across all of
them, because the "due" marker is taken with an atomic `cache.add` (shared when the cache is Redis).

On RQ, the scheduler thread also puts back in the queue the jobs whose worker died in the middle (see
`rq_requeue_abandoned`): RQ itself only marks them failed.
"""
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand

from hazardwatch.jobs.schedules import schedules

RQ_BACKEND = "django_tasks_rq.RQBackend"
RQ_RECOVERY_SECONDS = 60
# Failure texts RQ records when a job's worker (or the child running the job) died rather than the job failing.
RQ_DEATH_MARKERS = ("AbandonedJobError", "Work-horse terminated unexpectedly")
# A job whose worker died this many times stays failed: it may be what kills its worker (memory, a C crash).
RQ_MAX_WORKER_DEATHS = 5

logger = logging.getLogger("hazardwatch.jobs")


def uses_rq() -> bool:
    """True when the default task backend is RQ (so `rqworker` must run the tasks)."""
    return settings.TASKS["default"]["BACKEND"] == RQ_BACKEND


class Command(BaseCommand):
    help = "Run the task worker (database or RQ backend), and enqueue periodic jobs on their intervals."

    def add_arguments(self, parser):
        parser.add_argument("--no-schedule", action="store_true", help="do not enqueue periodic jobs")
        parser.add_argument("--batch", action="store_true", help="process what is queued, then exit")
        parser.add_argument("--simple", action="store_true",
                            help="RQ only: run jobs in this process instead of a forked child (tests, debugging)")

    def handle(self, *args, **options):
        if not options["no_schedule"]:
            threading.Thread(target=self._scheduler, daemon=True).start()
        if uses_rq():
            self._run_rq(batch=options["batch"], simple=options["simple"])
        else:
            self._run_db(batch=options["batch"])

    def _run_db(self, *, batch: bool) -> None:
        worker_args = ["--no-reload", "--queue-name", "*"]
        if batch:
            worker_args += ["--batch", "--no-startup-delay"]
        # Crash safety (jobs/recovery.py): a heartbeat row while this process lives; tasks of dead workers
        # are put back in the queue. On RQ, `rq_requeue_abandoned` does the same from RQ's registries.
        from hazardwatch.jobs.recovery import Heartbeat, worker_id_new

        worker_id = worker_id_new()
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        try:
            call_command("db_worker", *worker_args, "--worker-id", worker_id)
        finally:
            heartbeat.stop()

    def _run_rq(self, *, batch: bool, simple: bool) -> None:
        # The job class shims RQ onto the tasks API (result statuses, signals); the scheduler moves deferred
        # jobs (run_after) to the queue when due. Forking per job (the default) isolates memory growth.
        queues = list(getattr(settings, "RQ_QUEUES", {"default": None}))
        worker_args = queues + ["--job-class", "django_tasks_rq.backend.Job", "--with-scheduler"]
        if simple:
            worker_args += ["--worker-class", "rq.worker.SimpleWorker"]
        if batch:
            worker_args.append("--burst")
        # The command object, not its name: it runs even where django_rq is not in INSTALLED_APPS (tests).
        from django_rq.management.commands.rqworker import Command as RQWorkerCommand

        call_command(RQWorkerCommand(), *worker_args)

    def _scheduler(self):
        from django.db import close_old_connections

        due = {id(t): 0.0 for t, _ in schedules()}
        recovery_due = 0.0
        while True:
            now = time.monotonic()
            for task, interval in schedules():
                if now >= due[id(task)]:
                    close_old_connections()
                    if claim_schedule_slot(task.module_path, interval):
                        task.enqueue()
                    due[id(task)] = now + interval
            if uses_rq() and now >= recovery_due:
                recovery_due = now + RQ_RECOVERY_SECONDS
                if claim_schedule_slot("rq-requeue-abandoned", RQ_RECOVERY_SECONDS):
                    try:
                        rq_requeue_abandoned()
                    except Exception:  # noqa: BLE001 - Redis away: try again next round
                        logger.exception("requeueing abandoned RQ jobs failed")
            time.sleep(5)


def claim_schedule_slot(name: str, interval: int) -> bool:
    """True for the first worker to ask in this interval. A cache failure errs on the side of enqueueing
    (periodic jobs are idempotent; a missed run is worse than a doubled one)."""
    slot = int(time.time() // max(interval, 1))
    try:
        return cache.add(f"schedule:{name}:{slot}", 1, timeout=max(interval, 1))
    except Exception:  # noqa: BLE001 - Redis down: still run the periodic jobs
        return True


def rq_requeue_abandoned(*, now: float | None = None) -> int:
    """Queue again the RQ jobs whose worker died in the middle of them; return how many.

    RQ keeps each running job in its "started" registry with a heartbeat-refreshed expiry (about 90 s). When a
    worker is killed (SIGKILL, OOM killer, a node lost), the expiry passes, registry cleanup moves the job to
    the failed registry as abandoned, and there it would stay: django-tasks-rq sets no retries, and retries
    would also repeat jobs that failed on their own. This pass requeues only deaths (`RQ_DEATH_MARKERS`), at
    most RQ_MAX_WORKER_DEATHS times per job. The tasks are written to be rerun with their effect once.
    `now` moves the expiry cutoff (tests). Safe to run from several workers: requeueing is one ZREM each.
    """
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.exceptions import InvalidJobOperation

    requeued = 0
    for name in getattr(settings, "RQ_QUEUES", {}):
        queue = django_rq.get_queue(name, job_class=Job)
        queue.started_job_registry.cleanup(timestamp=now)
        failed = queue.failed_job_registry
        for job_id in failed.get_job_ids():
            job = queue.fetch_job(job_id)
            result = job.latest_result() if job is not None else None
            reason = (result.exc_string or "") if result is not None else ""
            if not any(marker in reason for marker in RQ_DEATH_MARKERS):
                continue
            deaths = int(job.meta.get("hazardwatch_worker_deaths", 0)) + 1
            if deaths > RQ_MAX_WORKER_DEATHS:
                continue
            job.meta["hazardwatch_worker_deaths"] = deaths
            job.save_meta()
            try:
                failed.requeue(job)
            except InvalidJobOperation:  # another worker requeued it first
                continue
            requeued += 1
            logger.warning("requeued RQ job %s of %s after its worker died (%d)", job.id, job.func_name, deaths)
    return requeued
