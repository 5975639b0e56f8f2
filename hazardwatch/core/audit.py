"""Appending to and verifying the hash-chained audit log."""
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hazardwatch.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "id": entry.pk,
        "t": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor_label,
        "action": entry.action,
        "type": entry.object_type,
        "obj": entry.object_id,
        "payload": entry.payload,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(entry)).hexdigest()


def actor_fields(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    return actor.pk, actor.get_username()


@transaction.atomic(savepoint=False)  # inside a caller's transaction: part of it (a failure fails it), no savepoint
def audit_append(*, actor, action: str, obj_type: str, obj_id, payload: dict | None = None) -> AuditEntry:
    """Append one entry. Locks the chain head row, so concurrent appends are serialized."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # the first entry ever
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    actor_id, actor_label = actor_fields(actor)
    entry = AuditEntry(
        id=head.last_entry_id + 1,
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label[:150],
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        payload=json.loads(json.dumps(payload or {}, default=str)),
        prev_hash=head.last_hash,
    )
    entry.hash = _digest(head.last_hash, entry)
    entry.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(last_entry_id=entry.pk, last_hash=entry.hash, count=head.count + 1)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def audit_verify(batch: int = 2000) -> VerifyResult:
    """Recompute the chain. The first entry whose content, link or position is wrong is reported."""
    prev = GENESIS
    expected_id = 1
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gte=expected_id).order_by("id")[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.pk != expected_id:
                return VerifyResult(False, checked, expected_id, f"entry {expected_id} is missing")
            if entry.prev_hash != prev:
                return VerifyResult(False, checked, entry.pk, "link to the previous entry does not match")
            if _digest(prev, entry) != entry.hash:
                return VerifyResult(False, checked, entry.pk, "content does not match its hash")
            prev = entry.hash
            expected_id += 1
            checked += 1
            last_id = entry.pk
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_entry_id != last_id or head.last_hash != prev):
        return VerifyResult(False, checked, last_id + 1, "entries at the end of the chain are missing")
    return VerifyResult(True, checked)
