"""Periodic job: keep the dashboard pre-aggregate current (enqueue every HAZARDWATCH_STATS_REFRESH_MINUTES)."""
from django_tasks import task


@task()
def stats_refresh_job() -> int:
    """Refresh the month and day cells; returns the number of cells written (month + day)."""
    from hazardwatch.insights.stats import stats_refresh

    result = stats_refresh()
    return int(result.get("cells", 0)) + int(result.get("day_cells", 0))
