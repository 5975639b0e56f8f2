"""Periodic job: keep the dashboard pre-aggregate current (enqueue every HAZARDWATCH_STATS_REFRESH_MINUTES)."""
from django_tasks import task


@task()
def stats_refresh_job() -> int:
    from hazardwatch.insights.stats import stats_refresh

    return int(stats_refresh().get("cells", 0))
