"""/api/v1/apikeys: list, issue and revoke API keys (session or key authentication).

The same rules as the staff pages (hazardwatch/apikeys/selectors.py). A request made with a key acts within
the key's organization: it lists and issues keys for that organization only."""
import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from hazardwatch.api.pagination import page, paginate
from hazardwatch.apikeys import selectors, services
from hazardwatch.apikeys.models import ApiKey
from hazardwatch.core.errors import ApplicationError, NotFound, PermissionDenied
from hazardwatch.reports.schemas import ErrorOut

router = Router(tags=["apikeys"], auth=django_auth)

NO_STAFF_ROLE = _("API keys are for staff: you hold no staff role.")
KEY_NOT_FOUND = _("No such key in your view.")
ORG_NOT_ALLOWED = _("You cannot issue keys for that organization.")
STATE_UNKNOWN = _("Unknown state; use active or revoked.")
NO_NUL = r"^[^\x00]*$"  # NUL cannot be stored in PostgreSQL text
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class KeyOut(Schema):
    id: int
    prefix: str
    name: str
    organization_id: int | None
    organization: str | None
    user: str | None = Field(None, description="The user the key acts as; null for a partner-system key")
    created_by: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


class KeyPage(Schema):
    count: int
    items: list[KeyOut]
    next_cursor: str | None = None


class KeyCreatedOut(KeyOut):
    key: str = Field(..., description="The secret: shown in this response only, never again")


class KeyIn(Schema):
    name: str = Field(..., max_length=100, pattern=NO_NUL)
    organization_id: int


class KeyFilter(Schema):
    state: str | None = Field(None, max_length=10, description="active or revoked")
    organization_id: int | None = None
    q: str | None = Field(None, max_length=100, pattern=NO_NUL,
                          description="Words in the name, or the start of the prefix")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=1000)


def key_out(k: ApiKey) -> dict:
    return {"id": k.pk, "prefix": k.prefix, "name": k.name, "organization_id": k.organization_id,
            "organization": k.organization.display_name if k.organization_id else None,
            "user": k.user.get_username() if k.user_id else None,
            "created_by": k.created_by.get_username() if k.created_by_id else None,
            "created_at": k.created_at, "last_used_at": k.last_used_at, "revoked_at": k.revoked_at,
            "active": k.active}


def _visible(request, **filters):
    if not selectors.may_manage_keys(request.user):
        raise PermissionDenied(NO_STAFF_ROLE)
    qs = selectors.keys_visible_to(request.user, **filters)
    key = getattr(request, "api_key", None)
    if key is not None and key.organization_id is not None:  # a key sees its own organization only
        qs = qs.filter(organization_id=key.organization_id)
    return qs


@router.get("", response={200: KeyPage, **ERRORS}, summary="API keys you created or that act for your organizations")
def key_list(request, filters: Query[KeyFilter]):
    if (filters.state or "") not in selectors.STATES:
        raise ApplicationError(STATE_UNKNOWN, {"fields": {"state": [str(STATE_UNKNOWN)]}})
    qs = _visible(request, state=filters.state or "", organization_id=filters.organization_id, q=filters.q or "")
    rows, next_cursor = paginate(qs, limit=filters.limit, cursor=filters.cursor, scope="apikeys")
    return Status(200, page([key_out(k) for k in rows], next_cursor, qs.count()))


@router.post("", response={201: KeyCreatedOut, **ERRORS},
             summary="Issue a key acting as you within one of your organizations (the secret is returned once)")
def key_create(request, payload: KeyIn):
    if not selectors.may_manage_keys(request.user):
        raise PermissionDenied(NO_STAFF_ROLE)
    org = selectors.issuing_organizations(request.user).filter(pk=payload.organization_id).first()
    api_key = getattr(request, "api_key", None)
    if org is None or (api_key is not None and api_key.organization_id not in (None, org.pk)):
        raise ApplicationError(ORG_NOT_ALLOWED, {"fields": {"organization_id": [str(ORG_NOT_ALLOWED)]}})
    key, raw = services.apikey_create(name=payload.name, user=request.user, organization=org,
                                      created_by=request.user)
    return Status(201, {**key_out(key), "key": raw})


@router.get("/{key_id}", response={200: KeyOut, **ERRORS})
def key_detail(request, key_id: int):
    key = _visible(request).filter(pk=key_id).first()
    if key is None:
        raise NotFound(KEY_NOT_FOUND)
    return Status(200, key_out(key))


@router.post("/{key_id}/revoke", response={200: KeyOut, **ERRORS}, summary="Revoke a key (audited; idempotent)")
def key_revoke(request, key_id: int):
    key = _visible(request).filter(pk=key_id).first()
    if key is None:
        raise NotFound(KEY_NOT_FOUND)
    return Status(200, key_out(services.apikey_revoke(key=key, actor=request.user)))
