"""The worker delivers webhooks: one task run = one HTTP attempt; failures re-enqueue it with `run_after`."""
from django_tasks import task


@task()
def webhook_deliver(delivery_id: str, attempt: int, replay: bool = False) -> str:
    """Make attempt number `attempt` of a delivery (skipped if another run or a replay got there first)."""
    from hazardwatch.webhooks.services import delivery_attempt

    delivery = delivery_attempt(delivery_id, attempt=attempt, replay=replay)
    return delivery.status if delivery is not None else "missing"


@task()
def webhooks_sweep() -> int:
    """Periodic: enqueue again deliveries whose task was lost (see services.deliveries_sweep)."""
    from hazardwatch.webhooks.services import deliveries_sweep

    return deliveries_sweep()
