"""Periodic jobs: (task, interval in seconds). The worker command enqueues each on its interval."""
from django.conf import settings


def schedules():
    from hazardwatch.cases.tasks import cases_check_overdue
    from hazardwatch.insights.stats_tasks import stats_refresh_job

    return [
        (cases_check_overdue, int(settings.HAZARDWATCH_OVERDUE_CHECK_MINUTES * 60)),
        (stats_refresh_job, int(settings.HAZARDWATCH_STATS_REFRESH_MINUTES * 60)),
    ]
