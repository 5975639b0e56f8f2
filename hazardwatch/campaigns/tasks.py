"""Periodic campaign work: deadline reminders (registered in hazardwatch/jobs/schedules.py)."""
from django_tasks import task


@task()
def campaigns_send_reminders() -> dict:
    from hazardwatch.campaigns.messaging import reminders_send

    return {"reminded": reminders_send()}
