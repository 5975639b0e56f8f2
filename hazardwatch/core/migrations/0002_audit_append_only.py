"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log.

SQLite gets no trigger: Django's test flush empties tables with DELETE, and anyone who can write the
SQLite file can drop a trigger anyway; there the hash chain (`hazardwatch audit verify`) is the guard.
TRUNCATE stays possible for the table owner (backups/restores and test flushes use it).
"""
from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION core_auditentry_refuse() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'core_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE OR DELETE ON core_auditentry
  FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_refuse();
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
