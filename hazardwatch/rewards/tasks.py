"""Periodic reward work: propose for newly verified cases, expire unclaimed rewards, send claim reminders."""
from django_tasks import task


@task()
def rewards_periodic() -> dict:
    from hazardwatch.rewards import services

    return {"proposed": services.propose_due(), "expired": services.assessments_expire(),
            "reminded": services.reminders_send()}


@task()
def rewards_notify_reporter(assessment_id: int, kind: str) -> int:
    from hazardwatch.rewards import services

    return services.notify_reporter(assessment_id, kind)
