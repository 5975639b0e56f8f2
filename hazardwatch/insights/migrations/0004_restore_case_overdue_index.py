# SQLite rebuilds a table whenever a migration adds or alters one of its columns and drops every index Django
# does not know about: cases 0004 (run after insights 0002 on databases migrated step by step) dropped the
# dashboard's partial index on overdue cases, and the overdue list then scanned every case of the sector or
# date range (0.2–1.2 s at a million cases instead of ~1 ms). Recreate it; `apps.ensure_case_overdue_index`
# (post_migrate) does the same after any later migration of the cases app.
from django.db import migrations

SQL = 'CREATE INDEX IF NOT EXISTS "insights_case_overdue" ON "cases_case" ("deadline", "id") WHERE "is_overdue"'


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0003_map_cell_split"),
        ("cases", "0004_duplicates_feedback_abuse"),
    ]

    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
