"""/api/v1/webhooks: subscriptions CRUD, delivery log, replay (session sign-in or an API key; see docs/webhooks.md)."""
import datetime as dt
import uuid
from typing import Annotated

from ninja import Query, Router, Schema, Status
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from pydantic import Field

from hazardwatch.api.pagination import page, paginate
from hazardwatch.core.errors import PermissionDenied
from hazardwatch.reports.schemas import ErrorOut
from hazardwatch.webhooks import services
from hazardwatch.webhooks.models import Delivery, DeliveryStatus, Subscription


# Named like the project-wide schemes, so the OpenAPI schema shows one session and one API-key scheme.
class SessionAuth(NinjaSessionAuth):
    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return services.manager_for(None, getattr(request, "api_key", None))


class ApiKeyBearer(HttpBearer):
    """`Authorization: Bearer hwk_…` (checked by ApiKeyMiddleware): a user's key or a regulator's partner key."""

    def authenticate(self, request, token):
        key = getattr(request, "api_key", None)
        if key is None:
            return None
        return request.user if request.user.is_authenticated else services.manager_for(None, key)


router = Router(tags=["webhooks"], auth=[SessionAuth(), ApiKeyBearer()])

EventName = Annotated[str, Field(max_length=20)]


def _manager(request) -> services.Manager:
    manager = services.manager_for(request.user, getattr(request, "api_key", None))
    if manager is None:
        raise PermissionDenied(services.NO_WEBHOOK_ROLE)
    return manager


class SubscriptionIn(Schema):
    name: str = Field(..., max_length=100)
    target_url: str = Field(..., max_length=500)
    event_types: list[EventName] = Field(..., max_length=10)
    organization_id: int | None = Field(None, ge=1, le=2**62)
    is_active: bool = True


class SubscriptionPatch(Schema):
    name: str | None = Field(None, max_length=100)
    target_url: str | None = Field(None, max_length=500)
    event_types: list[EventName] | None = Field(None, max_length=10)
    organization_id: int | None = Field(None, ge=1, le=2**62)
    is_active: bool | None = None


class SubscriptionOut(Schema):
    id: int
    name: str
    target_url: str
    event_types: list[str]
    organization_id: int | None
    organization: str | None
    is_active: bool
    created_at: dt.datetime
    secret: str | None = None


class SubscriptionPage(Schema):
    count: int
    items: list[SubscriptionOut]
    next_cursor: str | None


class DeliveryOut(Schema):
    id: uuid.UUID
    subscription_id: int
    event_id: uuid.UUID
    event_type: str
    case_id: int
    case_reference: str
    status: str
    attempts: int
    max_attempts: int
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_response: str
    last_error: str
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    payload: dict


class DeliveryPage(Schema):
    count: int
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryFilter(Schema):
    status: str | None = Field(None, max_length=12)
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=1000)


class ListFilter(Schema):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=1000)


def _sub_out(sub: Subscription, *, with_secret: bool = False) -> dict:
    return {"id": sub.pk, "name": sub.name, "target_url": sub.target_url, "event_types": list(sub.event_types),
            "organization_id": sub.organization_id,
            "organization": sub.organization.name if sub.organization_id else None,
            "is_active": sub.is_active, "created_at": sub.created_at,
            "secret": sub.secret if with_secret else None}


def _delivery_out(d: Delivery) -> dict:
    import json

    return {"id": d.pk, "subscription_id": d.subscription_id, "event_id": d.event_id, "event_type": d.event_type,
            "case_id": d.case_id, "case_reference": d.case_reference, "status": d.status, "attempts": d.attempts,
            "max_attempts": d.max_attempts, "created_at": d.created_at, "last_attempt_at": d.last_attempt_at,
            "last_status_code": d.last_status_code, "last_response": d.last_response, "last_error": d.last_error,
            "next_attempt_at": d.next_attempt_at, "delivered_at": d.delivered_at, "payload": json.loads(d.body)}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/subscriptions", response={200: SubscriptionPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="Webhook subscriptions you manage")
def subscription_list(request, filters: Query[ListFilter]):
    qs = services.subscriptions_for(_manager(request)).order_by("pk")
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, scope="webhook-subscriptions")
    return Status(200, page([_sub_out(s) for s in rows], next_cursor, qs.count()))


@router.post("/subscriptions", response={201: SubscriptionOut, **ERRORS},
             summary="Subscribe a target URL to case events (the answer holds the signing secret)")
def subscription_create(request, payload: SubscriptionIn):
    sub = services.subscription_create(manager=_manager(request), **payload.dict())
    return Status(201, _sub_out(sub, with_secret=True))


@router.get("/subscriptions/{sub_id}", response={200: SubscriptionOut, **ERRORS},
            summary="One subscription, with its signing secret")
def subscription_detail(request, sub_id: int):
    return Status(200, _sub_out(services.subscription_get(_manager(request), sub_id), with_secret=True))


@router.patch("/subscriptions/{sub_id}", response={200: SubscriptionOut, **ERRORS},
              summary="Change a subscription (name, target URL, events, organization, active)")
def subscription_update(request, sub_id: int, payload: SubscriptionPatch):
    manager = _manager(request)
    changes = payload.dict(exclude_unset=True)
    if changes.get("is_active", True) is None:
        changes.pop("is_active")
    for key in ("name", "target_url", "event_types"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    sub = services.subscription_update(manager=manager, sub=services.subscription_get(manager, sub_id), **changes)
    return Status(200, _sub_out(sub))


@router.delete("/subscriptions/{sub_id}", response={204: None, **ERRORS}, summary="Delete a subscription")
def subscription_delete(request, sub_id: int):
    manager = _manager(request)
    services.subscription_delete(manager=manager, sub=services.subscription_get(manager, sub_id))
    return Status(204, None)


@router.post("/subscriptions/{sub_id}/rotate-secret", response={200: SubscriptionOut, **ERRORS},
             summary="Issue a new signing secret (the old one stops working at once)")
def subscription_rotate(request, sub_id: int):
    manager = _manager(request)
    sub = services.subscription_rotate_secret(manager=manager, sub=services.subscription_get(manager, sub_id))
    return Status(200, _sub_out(sub, with_secret=True))


@router.get("/subscriptions/{sub_id}/deliveries", response={200: DeliveryPage, **ERRORS},
            summary="The delivery log of a subscription, newest first")
def delivery_list(request, sub_id: int, filters: Query[DeliveryFilter]):
    sub = services.subscription_get(_manager(request), sub_id)
    qs = sub.deliveries.order_by("-created_at")
    if filters.status in DeliveryStatus.values:
        qs = qs.filter(status=filters.status)
    elif filters.status:
        qs = qs.none()
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, scope=f"webhook-deliveries-{sub.pk}")
    return Status(200, page([_delivery_out(d) for d in rows], next_cursor, qs.count()))


@router.get("/deliveries/{delivery_id}", response={200: DeliveryOut, **ERRORS}, summary="One delivery")
def delivery_detail(request, delivery_id: uuid.UUID):
    return Status(200, _delivery_out(services.delivery_get(_manager(request), delivery_id)))


@router.post("/deliveries/{delivery_id}/replay", response={202: DeliveryOut, **ERRORS},
             summary="Send the same payload again (same delivery id), now; audited")
def delivery_replay(request, delivery_id: uuid.UUID):
    manager = _manager(request)
    delivery = services.delivery_replay(manager=manager, delivery=services.delivery_get(manager, delivery_id))
    return Status(202, _delivery_out(delivery))
