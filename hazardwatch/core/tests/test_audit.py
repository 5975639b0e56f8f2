import pytest
from django.core.management import call_command
from django.db import connection

from hazardwatch.core.audit import audit_append, audit_verify
from hazardwatch.core.models import AuditEntry


def tamper(sql, params=()):
    """Change the log as an attacker with database access would (on PostgreSQL: after disabling the trigger)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_update")


def _chain(n=5):
    for i in range(n):
        audit_append(actor=None, action="test.step", obj_type="thing", obj_id=i, payload={"i": i, "text": "中文"})


@pytest.mark.django_db
def test_intact_chain_verifies():
    _chain()
    result = audit_verify()
    assert result.ok and result.checked == 5


@pytest.mark.django_db
def test_changed_payload_is_found_at_its_position():
    _chain()
    tamper("UPDATE core_auditentry SET payload = %s WHERE id = 3", ['{"i": 99}'])
    result = audit_verify()
    assert not result.ok and result.broken_id == 3


@pytest.mark.django_db
def test_deleted_middle_row_is_found():
    _chain()
    tamper("DELETE FROM core_auditentry WHERE id = 2")
    result = audit_verify()
    assert not result.ok and result.broken_id == 2


@pytest.mark.django_db
def test_deleted_last_row_is_found():
    _chain()
    tamper("DELETE FROM core_auditentry WHERE id = 5")
    result = audit_verify()
    assert not result.ok and result.broken_id == 5


@pytest.mark.django_db
def test_rehashed_row_still_breaks_the_next_link():
    import hashlib

    _chain()
    tamper("UPDATE core_auditentry SET action = 'forged', hash = %s WHERE id = 2", [hashlib.sha256(b"forged").hexdigest()])
    result = audit_verify()
    assert not result.ok and result.broken_id == 2


@pytest.mark.django_db
def test_verify_command_exits_non_zero_naming_the_entry(capsys):
    _chain()
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out
    tamper("UPDATE core_auditentry SET actor_label = 'someone' WHERE id = 4")
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert "entry 4" in capsys.readouterr().err


@pytest.mark.django_db
def test_postgresql_refuses_updates_and_deletes():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    _chain(2)
    for statement in ("UPDATE core_auditentry SET action = 'x' WHERE id = 1", "DELETE FROM core_auditentry WHERE id = 2"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    assert audit_verify().ok
