from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The dashboard's overdue list walks this partial index (see stats.overdue_cases). It is created in raw SQL
# (Django's Index on another app's model cannot be declared here), so SQLite table rebuilds of cases_case
# during later migrations drop it: post_migrate recreates it if missing.
CASE_OVERDUE_INDEX = ('CREATE INDEX IF NOT EXISTS "insights_case_overdue" ON "cases_case" ("deadline", "id") '
                      'WHERE "is_overdue"')


def ensure_case_overdue_index(using="default", **kwargs):
    from django.db import connections

    connection = connections[using]
    if "cases_case" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(CASE_OVERDUE_INDEX)


class InsightsConfig(AppConfig):
    name = "hazardwatch.insights"
    label = "insights"

    def ready(self):
        from hazardwatch.insights import maps

        maps.connect_signals()
        post_migrate.connect(ensure_case_overdue_index, sender=self,
                             dispatch_uid="insights_ensure_case_overdue_index")
