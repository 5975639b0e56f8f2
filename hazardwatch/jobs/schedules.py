"""Periodic jobs: (task, interval in seconds). The worker command enqueues each on its interval."""
from django.conf import settings


def schedules():
    from hazardwatch.campaigns.tasks import campaigns_send_reminders
    from hazardwatch.cases.tasks import cases_check_overdue
    from hazardwatch.checklists.tasks import checklists_inspections_periodic
    from hazardwatch.insights.stats_tasks import stats_refresh_job
    from hazardwatch.jobs.tasks import jobs_recovery_sweep
    from hazardwatch.rewards.tasks import rewards_periodic
    from hazardwatch.webhooks.tasks import webhooks_sweep

    return [
        (cases_check_overdue, int(settings.HAZARDWATCH_OVERDUE_CHECK_MINUTES * 60)),
        (stats_refresh_job, int(settings.HAZARDWATCH_STATS_REFRESH_MINUTES * 60)),
        (rewards_periodic, int(settings.HAZARDWATCH_REWARD_CHECK_MINUTES * 60)),
        (campaigns_send_reminders, int(settings.HAZARDWATCH_CAMPAIGN_REMINDER_MINUTES * 60)),
        (checklists_inspections_periodic, 3600),  # next recurring inspections, missed ones
        (webhooks_sweep, 300),  # webhook deliveries whose task was lost
        (jobs_recovery_sweep, 600),  # photo tasks lost in a crash, orphan photo files (jobs/recovery.py)
    ]
