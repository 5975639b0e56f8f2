"""On PostgreSQL the database refuses UPDATE and DELETE on the reward ledger (like the audit log).

SQLite gets no trigger (test flushes use DELETE there); `LedgerEntry.save`/`delete` refuse changes and
every entry is in the hash-chained audit log. TRUNCATE stays possible for the table owner (restores, test flushes).
"""
from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION rewards_ledgerentry_refuse() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'rewards_ledgerentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rewards_ledgerentry_no_change BEFORE UPDATE OR DELETE ON rewards_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION rewards_ledgerentry_refuse();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS rewards_ledgerentry_no_change ON rewards_ledgerentry;
DROP FUNCTION IF EXISTS rewards_ledgerentry_refuse();
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_rewards_initial")]
    operations = [migrations.RunPython(up, down)]
