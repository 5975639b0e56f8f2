"""Periodic job: next occurrences of recurring inspections, and missed ones."""
from django_tasks import task


@task()
def checklists_inspections_periodic() -> dict:
    from hazardwatch.checklists.services import inspections_periodic

    return inspections_periodic()
