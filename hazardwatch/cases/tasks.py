"""Background work on cases: notifying reporters, and the periodic overdue check."""
from django_tasks import task

from hazardwatch.cases import messaging


@task()
def case_notify_reporter(event_id: int) -> int:
    return messaging.notify_reporters_of_event(event_id)


@task()
def cases_check_overdue() -> int:
    from hazardwatch.cases.services import cases_mark_overdue

    return cases_mark_overdue()
