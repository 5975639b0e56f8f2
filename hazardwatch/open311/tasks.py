"""Background work for Open311: the intake of requests posted to batch services."""
from django_tasks import task


@task()
def open311_batch_process(row_id: int) -> str:
    from hazardwatch.open311.services import batch_process

    return batch_process(row_id)
