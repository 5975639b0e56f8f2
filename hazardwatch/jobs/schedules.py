"""Periodic jobs: (task, interval in seconds). The worker command enqueues each on its interval."""
from django.conf import settings


def schedules():
    from hazardwatch.cases.tasks import cases_check_overdue

    return [(cases_check_overdue, int(settings.HAZARDWATCH_OVERDUE_CHECK_MINUTES * 60))]
