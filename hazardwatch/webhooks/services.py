"""Webhooks: subscriptions, the case-event hook, signed delivery with retries, and replay.

Flow: `cases.services._record` calls `webhooks_on_case_event(event, case)` inside the case transaction. If the
action maps to a subscribable event, the payload is frozen there and then; after commit one `Delivery` row is
created per matching active subscription and a `webhook_deliver` task is enqueued for each. Each task run is one
POST; a non-2xx answer or a network error schedules the next attempt with exponential backoff (RETRY_DELAYS)
until MAX_ATTEMPTS. Delivery is at least once: receivers de-duplicate on the delivery id.
"""
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Organization, OrganizationKind
from hazardwatch.core.audit import audit_append
from hazardwatch.core.errors import ApplicationError, NotFound, PermissionDenied
from hazardwatch.webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, EventType, Subscription
from hazardwatch.webhooks.urlguard import UnsafeTarget, resolve_target

log = logging.getLogger(__name__)

# Case action (CaseEvent.action) → subscribable event type. "opened"/"closed" follow whether the case is open:
# a new case, a reopening by the reporter or an undone merge open it; acceptance, rejection and merging close it.
EVENT_FOR_ACTION = {
    "open": EventType.OPENED, "dispute": EventType.OPENED, "unmerge": EventType.OPENED,
    "grade": EventType.GRADED,
    "assign": EventType.ASSIGNED,
    "escalate": EventType.OVERDUE,  # the periodic overdue check escalates a case whose deadline has passed
    "approve": EventType.CLOSED, "reject": EventType.CLOSED, "merge": EventType.CLOSED,
}
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600)  # seconds after attempt 1, 2, 3, 4, 5 failed
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT_SECONDS = 10
EXCERPT_CHARS = 500
USER_AGENT = "Hazardwatch-Webhooks/1"
EVENT_NAMESPACE = uuid.UUID("6f1c2a52-1d0e-4c55-9a55-2b0c8f0e7a11")

NAME_REQUIRED = _("Give the subscription a name.")
NAME_INVALID = _("The name contains characters that cannot be used.")
EVENTS_REQUIRED = _("Choose at least one event.")
EVENT_UNKNOWN = _("Unknown event type: {value}.")
ORG_NOT_ALLOWED = _("You may only manage webhooks of your own regulator organization.")
ORG_REQUIRED = _("Choose the organization whose cases this subscription receives.")
NO_WEBHOOK_ROLE = _("Webhooks are managed by regulator staff and administrators.")
SUBSCRIPTION_NOT_FOUND = _("No such webhook subscription.")
DELIVERY_NOT_FOUND = _("No such webhook delivery.")
SUBSCRIPTION_INACTIVE = "subscription inactive"


# --- who may manage what -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Manager:
    """Who is acting on subscriptions: a signed-in user or an API key, and which organizations they manage."""

    is_admin: bool
    org_ids: frozenset
    actor: object  # a user, or a label for audit entries

    def may_manage(self, sub: Subscription) -> bool:
        return self.is_admin or (sub.organization_id is not None and sub.organization_id in self.org_ids)


def manager_for(user, api_key=None) -> Manager | None:
    """Administrators manage every subscription; regulator staff those of their regulator organizations; a partner
    API key without a user those of its organization (if a regulator). None: no webhook rights."""
    from hazardwatch.accounts.selectors import jurisdiction_for_user

    if user is not None and getattr(user, "is_authenticated", False):
        j = jurisdiction_for_user(user)
        org_ids = frozenset(Organization.objects.filter(pk__in=j.regulator_org_ids, kind=OrganizationKind.REGULATOR)
                            .values_list("pk", flat=True)) if j.regulator_org_ids else frozenset()
        if j.is_admin or org_ids:
            return Manager(is_admin=j.is_admin, org_ids=org_ids, actor=user)
        return None
    if api_key is not None and api_key.organization_id is not None and \
            api_key.organization.kind == OrganizationKind.REGULATOR:
        return Manager(is_admin=False, org_ids=frozenset({api_key.organization_id}),
                       actor=f"apikey:{api_key.prefix}")
    return None


def subscriptions_for(manager: Manager):
    qs = Subscription.objects.select_related("organization")
    return qs if manager.is_admin else qs.filter(organization_id__in=list(manager.org_ids))


def _is_id(value) -> bool:
    return str(value).isdigit() and 0 < int(value) < 2**63


def subscription_get(manager: Manager, pk) -> Subscription:
    sub = subscriptions_for(manager).filter(pk=int(pk)).first() if _is_id(pk) else None
    if sub is None:
        raise NotFound(SUBSCRIPTION_NOT_FOUND)
    return sub


def delivery_get(manager: Manager, pk) -> Delivery:
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        raise NotFound(DELIVERY_NOT_FOUND) from None
    delivery = Delivery.objects.select_related("subscription").filter(
        pk=key, subscription__in=subscriptions_for(manager)).first()
    if delivery is None:
        raise NotFound(DELIVERY_NOT_FOUND)
    return delivery


# --- subscriptions -------------------------------------------------------------------------------------

def _field_error(field, message):
    return ApplicationError(message, {"fields": {field: [str(message)]}})


def _clean_events(values) -> list[str]:
    if not isinstance(values, (list, tuple)) or not values:
        raise _field_error("event_types", EVENTS_REQUIRED)
    out = []
    for value in values:
        if value not in EventType.values:
            raise _field_error("event_types", EVENT_UNKNOWN.format(value=str(value)[:30]))
        if value not in out:
            out.append(value)
    return [v for v in EventType.values if v in out]  # stable order


def _clean_name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _field_error("name", NAME_REQUIRED)
    value = value.strip()[:100]
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be stored
        raise _field_error("name", NAME_INVALID) from None
    if not value.isprintable():
        raise _field_error("name", NAME_INVALID)
    return value


def _clean_org(manager: Manager, organization_id) -> Organization | None:
    if organization_id in (None, ""):
        if manager.is_admin:
            return None
        if len(manager.org_ids) == 1:
            return Organization.objects.get(pk=next(iter(manager.org_ids)))
        raise _field_error("organization_id", ORG_REQUIRED)
    org = None
    if _is_id(organization_id):
        org = Organization.objects.filter(pk=int(organization_id), kind=OrganizationKind.REGULATOR).first()
    if org is None or not (manager.is_admin or org.pk in manager.org_ids):
        raise PermissionDenied(ORG_NOT_ALLOWED, {"fields": {"organization_id": [str(ORG_NOT_ALLOWED)]}})
    return org


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _snapshot(sub: Subscription) -> dict:
    return {"name": sub.name, "target_url": sub.target_url, "event_types": sub.event_types,
            "organization": sub.organization_id, "active": sub.is_active}


@transaction.atomic
def subscription_create(*, manager: Manager, name, target_url, event_types, organization_id=None,
                        is_active: bool = True) -> Subscription:
    name = _clean_name(name)
    events = _clean_events(event_types)
    resolve_target(target_url)
    org = _clean_org(manager, organization_id)
    sub = Subscription.objects.create(
        name=name, target_url=target_url, event_types=events, organization=org, is_active=bool(is_active),
        secret=new_secret(), created_by=manager.actor if not isinstance(manager.actor, str) else None)
    audit_append(actor=manager.actor, action="webhook.create", obj_type="webhook_subscription", obj_id=sub.pk,
                 payload=_snapshot(sub))
    return sub


@transaction.atomic
def subscription_update(*, manager: Manager, sub: Subscription, **changes) -> Subscription:
    if not manager.may_manage(sub):
        raise NotFound(SUBSCRIPTION_NOT_FOUND)
    if "name" in changes:
        sub.name = _clean_name(changes["name"])
    if "target_url" in changes:
        resolve_target(changes["target_url"])
        sub.target_url = changes["target_url"]
    if "event_types" in changes:
        sub.event_types = _clean_events(changes["event_types"])
    if "is_active" in changes:
        sub.is_active = bool(changes["is_active"])
    if "organization_id" in changes:
        sub.organization = _clean_org(manager, changes["organization_id"])
    sub.save()
    audit_append(actor=manager.actor, action="webhook.update", obj_type="webhook_subscription", obj_id=sub.pk,
                 payload=_snapshot(sub))
    return sub


@transaction.atomic
def subscription_rotate_secret(*, manager: Manager, sub: Subscription) -> Subscription:
    if not manager.may_manage(sub):
        raise NotFound(SUBSCRIPTION_NOT_FOUND)
    sub.secret = new_secret()
    sub.save(update_fields=["secret", "updated_at"])
    audit_append(actor=manager.actor, action="webhook.rotate_secret", obj_type="webhook_subscription",
                 obj_id=sub.pk, payload={})
    return sub


@transaction.atomic
def subscription_delete(*, manager: Manager, sub: Subscription) -> None:
    if not manager.may_manage(sub):
        raise NotFound(SUBSCRIPTION_NOT_FOUND)
    audit_append(actor=manager.actor, action="webhook.delete", obj_type="webhook_subscription", obj_id=sub.pk,
                 payload=_snapshot(sub))
    sub.delete()


# --- events → deliveries ---------------------------------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat() if value else None


def case_event_payload(event, case, event_type: str) -> dict:
    """What a partner receives: the event and the case's state right after it. No reporter data, no free text
    (title, description, notes can name people), no staff names."""
    region = case.region
    return {
        "id": str(uuid.uuid5(EVENT_NAMESPACE, f"case-event:{event.pk}")),
        "type": str(event_type),
        "occurred_at": _iso(event.at),
        "action": event.action,
        "previous_status": event.from_status or None,
        "case": {
            "id": case.pk,
            "reference": case.reference,
            "status": case.status,
            "grade": case.grade or None,
            "sector": case.sector,
            "category": case.category or None,
            "region_code": region.code if region else None,
            "region_name": region.name if region else None,
            "regulator_id": case.regulator_id,
            "responsible_unit_id": case.responsible_unit_id,
            "deadline": _iso(case.deadline),
            "is_overdue": case.is_overdue,
            "escalation_level": case.escalation_level,
            "is_listed": case.is_listed,
            "lat": case.lat,
            "lon": case.lon,
            "created_at": _iso(case.created_at),
            "closed_at": _iso(case.closed_at),
        },
    }


def webhooks_on_case_event(event, case) -> None:
    """Called for every case event inside the case transaction; schedules deliveries for after the commit."""
    event_type = EVENT_FOR_ACTION.get(event.action)
    if event_type is None:
        return
    payload = case_event_payload(event, case, event_type)
    region_path, sector = case.region_path or "", case.sector
    # robust: a failure here is logged and never turns the committed case step into an error for its user
    transaction.on_commit(lambda: deliveries_create(payload=payload, region_path=region_path, sector=sector),
                          robust=True)


def subscription_sees(sub: Subscription, region_path: str, sector: str) -> bool:
    """A subscription receives exactly the cases its organization's jurisdiction covers (region subtree ×
    sectors, as `Case.objects.visible_to` for the organization's regulator staff); no organization: all."""
    org = sub.organization
    if org is None:
        return True
    if org.kind != OrganizationKind.REGULATOR or org.region is None:
        return False
    return region_path.startswith(org.region.path) and sector in (org.sectors or [])


def deliveries_create(*, payload: dict, region_path: str, sector: str) -> list[Delivery]:
    """One delivery per matching active subscription, then one task each (enqueued after this commits)."""
    from hazardwatch.webhooks.tasks import webhook_deliver

    event_type = payload["type"]
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    created = []
    with transaction.atomic():
        for sub in Subscription.objects.filter(is_active=True).select_related("organization__region"):
            if event_type not in (sub.event_types or []) or not subscription_sees(sub, region_path, sector):
                continue
            created.append(Delivery.objects.create(
                subscription=sub, event_id=payload["id"], event_type=event_type, case_id=payload["case"]["id"],
                case_reference=payload["case"]["reference"], body=body, max_attempts=MAX_ATTEMPTS))
        ids = [str(d.pk) for d in created]
        transaction.on_commit(lambda: [webhook_deliver.enqueue(i, 1) for i in ids], robust=True)
    return created


# --- sending ------------------------------------------------------------------------------------------

def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Hazardwatch-Signature value: HMAC-SHA256 over "<timestamp>.<body>" with the subscription secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _connection(scheme: str, host: str, port: int, address: str):
    """A connection to `host` that connects only to the vetted `address` (no second DNS lookup: no rebinding).
    TLS still verifies the certificate for `host`. http.client follows no redirects."""
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    conn = cls(host, port, timeout=TIMEOUT_SECONDS)

    def create_connection(addr, timeout=TIMEOUT_SECONDS, source_address=None):
        return socket.create_connection((address, addr[1]), timeout, source_address)

    conn._create_connection = create_connection
    return conn


def _post(delivery: Delivery, attempt: int) -> tuple[int | None, str, str]:
    """(status code or None, response excerpt, error) of one POST."""
    sub = delivery.subscription
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Hazardwatch-Event": delivery.event_type,
        "X-Hazardwatch-Delivery": str(delivery.pk),
        "X-Hazardwatch-Event-Id": str(delivery.event_id),
        "X-Hazardwatch-Timestamp": timestamp,
        "X-Hazardwatch-Attempt": str(attempt),
        "X-Hazardwatch-Signature": sign(sub.secret, timestamp, body),
    }
    try:
        scheme, host, port, addresses = resolve_target(sub.target_url)
    except UnsafeTarget as exc:
        return None, "", str(exc.message)[:300]
    parts = urlsplit(sub.target_url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = _connection(scheme, host, port, addresses[0])
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        excerpt = response.read(4 * EXCERPT_CHARS).decode("utf-8", "replace")[:EXCERPT_CHARS]
        return response.status, excerpt, ""
    except (OSError, http.client.HTTPException) as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:300]
    finally:
        conn.close()


def retry_delay(failed_attempt: int) -> timedelta:
    """Wait after attempt number `failed_attempt` (1-based) failed: 1 min, 5 min, 30 min, 2 h, 12 h."""
    return timedelta(seconds=RETRY_DELAYS[min(failed_attempt, len(RETRY_DELAYS)) - 1])


def delivery_attempt(delivery_id, *, attempt: int, replay: bool = False,
                     now: datetime | None = None) -> Delivery | None:
    """Make attempt number `attempt`. The claim is one conditional UPDATE (no lock held during the request), so a
    duplicate task, or a retry overtaken by a replay, does nothing."""
    claimed = Delivery.objects.filter(
        pk=delivery_id, attempts=attempt - 1,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
    ).update(attempts=F("attempts") + 1, status=DeliveryStatus.PENDING)
    delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if not claimed or delivery is None:
        return delivery
    started = time.monotonic()
    if delivery.subscription.is_active:
        status_code, excerpt, error = _post(delivery, attempt)
    else:  # switched off after the event: queued attempts stop (a replay after switching on again sends it)
        status_code, excerpt, error = None, "", SUBSCRIPTION_INACTIVE
    now = now or timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery, number=attempt, at=now, status_code=status_code, response_excerpt=excerpt, error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
        is_replay=replay)
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.last_response = excerpt
    delivery.last_error = error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    elif attempt >= delivery.max_attempts or not delivery.subscription.is_active:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + retry_delay(attempt)
    delivery.save(update_fields=["last_attempt_at", "last_status_code", "last_response", "last_error", "status",
                                 "delivered_at", "next_attempt_at"])
    if delivery.status == DeliveryStatus.RETRYING:
        _schedule(delivery, attempt + 1, delivery.next_attempt_at)
    return delivery


def _schedule(delivery: Delivery, attempt: int, run_after: datetime | None, replay: bool = False) -> None:
    from hazardwatch.webhooks.tasks import webhook_deliver

    if run_after is None:
        webhook_deliver.enqueue(str(delivery.pk), attempt, replay)
    elif webhook_deliver.get_backend().supports_defer:
        webhook_deliver.using(run_after=run_after).enqueue(str(delivery.pk), attempt)
    else:  # e.g. the immediate backend of the tests: nothing runs later; next_attempt_at shows the plan
        log.warning("webhook retry of %s not scheduled: the task backend cannot defer", delivery.pk)


SWEEP_AFTER = timedelta(minutes=10)


def deliveries_sweep(*, now: datetime | None = None, stale: timedelta = SWEEP_AFTER) -> int:
    """Enqueue again the deliveries whose task was lost (a crash between commit and enqueue, a worker killed
    during an attempt, a deferred retry dropped): pending for longer than `stale` since their last attempt (or
    creation), or retrying more than `stale` past their planned time. The claim in `delivery_attempt` makes a
    duplicate harmless, so the receiver sees at least one attempt (deduplicate by delivery id). Returns the number
    enqueued."""
    now = now or timezone.now()
    cutoff = now - stale
    lost = (Delivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lt=cutoff)
            .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=cutoff))
            | Delivery.objects.filter(status=DeliveryStatus.RETRYING, next_attempt_at__lt=cutoff))
    count = 0
    for delivery in lost.only("pk", "attempts"):
        _schedule(delivery, delivery.attempts + 1, None)
        count += 1
    return count


def delivery_replay(*, manager: Manager, delivery: Delivery) -> Delivery:
    """Send the same frozen payload again (same delivery id) as a new attempt, now. Audited."""
    if not manager.may_manage(delivery.subscription):
        raise NotFound(DELIVERY_NOT_FOUND)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        attempt = delivery.attempts + 1
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = None
        delivery.max_attempts = max(delivery.max_attempts, attempt)
        delivery.save(update_fields=["status", "next_attempt_at", "max_attempts"])
        audit_append(actor=manager.actor, action="webhook.replay", obj_type="webhook_delivery", obj_id=delivery.pk,
                     payload={"subscription": delivery.subscription_id, "attempt": attempt,
                              "event_type": delivery.event_type, "case": delivery.case_reference})
        delivery_id = str(delivery.pk)
        transaction.on_commit(lambda: _schedule(delivery, attempt, None, replay=True))
    return Delivery.objects.get(pk=delivery_id)
