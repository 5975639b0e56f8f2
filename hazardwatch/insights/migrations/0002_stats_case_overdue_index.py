# The dashboard's overdue list: open overdue cases oldest deadline first. A partial index over the few
# overdue rows keeps it a short index walk at a million cases (SQLite and PostgreSQL both support it).
from django.db import migrations

SQL = 'CREATE INDEX IF NOT EXISTS "insights_case_overdue" ON "cases_case" ("deadline", "id") WHERE "is_overdue"'
REVERSE = 'DROP INDEX IF EXISTS "insights_case_overdue"'


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0001_initial"),
        ("cases", "0002_case_criterion_case_criterion_edition"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
