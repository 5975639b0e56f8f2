"""Worker liveness for the database task backend (see jobs/recovery.py)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per `hazardwatch worker` process, refreshed every few seconds while it lives.

    django_tasks_db marks a claimed task RUNNING and never looks at it again, so a task whose worker was
    killed would stay RUNNING forever. The claiming worker's id is the last entry of the task's
    `worker_ids`; when that worker's row stops being refreshed, the task is put back in the queue.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return self.worker_id
