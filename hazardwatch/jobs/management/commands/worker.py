"""hazardwatch worker: run background tasks (database backend) and enqueue the periodic jobs."""
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from hazardwatch.jobs.schedules import schedules


class Command(BaseCommand):
    help = "Run the task worker, and enqueue periodic jobs (overdue escalation) on their intervals."

    def add_arguments(self, parser):
        parser.add_argument("--no-schedule", action="store_true", help="do not enqueue periodic jobs")
        parser.add_argument("--batch", action="store_true", help="process what is queued, then exit")

    def handle(self, *args, **options):
        if not options["no_schedule"]:
            threading.Thread(target=self._scheduler, daemon=True).start()
        worker_args = ["--no-reload", "--queue-name", "*"]
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *worker_args)

    def _scheduler(self):
        from django.db import close_old_connections

        due = {id(t): 0.0 for t, _ in schedules()}
        while True:
            now = time.monotonic()
            for task, interval in schedules():
                if now >= due[id(task)]:
                    close_old_connections()
                    task.enqueue()
                    due[id(task)] = now + interval
            time.sleep(5)
