"""Periodic crash recovery (registered in hazardwatch/jobs/schedules.py)."""
from django_tasks import task


@task()
def jobs_recovery_sweep() -> dict:
    """Lost photo-processing tasks, orphan photo files, old heartbeat rows; see jobs/recovery.py."""
    from hazardwatch.jobs.recovery import recovery_sweep

    return recovery_sweep()
