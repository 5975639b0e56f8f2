"""Create, authenticate and revoke API keys. Key format: `hwk_<prefix>_<secret>`."""
import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.apikeys.models import ApiKey
from hazardwatch.core.errors import ApplicationError

PREFIX = "hwk_"
LAST_USED_GRANULARITY = dt.timedelta(minutes=5)  # write last_used_at at most this often per key
NOT_A_MEMBER = _("The user is not a member of that organization.")
NAME_REQUIRED = _("Give the key a name (1–100 characters).")


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, name: str, user=None, organization=None, created_by=None) -> tuple[ApiKey, str]:
    """A new key; returns (key, the secret to show once). A user key needs the user's membership in the
    organization (or a superuser)."""
    from hazardwatch.core.audit import audit_append

    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError(NAME_REQUIRED, {"fields": {"name": [str(NAME_REQUIRED)]}})
    if user is not None and organization is not None and not user.is_superuser \
            and not user.memberships.filter(organization=organization).exists():
        raise ApplicationError(NOT_A_MEMBER, {"fields": {"organization": [str(NOT_A_MEMBER)]}})
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    raw = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name, prefix=prefix, key_hash=_hash(raw), user=user,
                                organization=organization, created_by=created_by)
    audit_append(actor=created_by, action="apikey.create", obj_type="apikey", obj_id=key.pk,
                 payload={"name": name, "prefix": prefix, "user": user.pk if user else None,
                          "organization": organization.pk if organization else None})
    return key, raw


def apikey_authenticate(raw: str | None) -> ApiKey | None:
    """The active key for a presented secret, or None."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    key = (ApiKey.objects.select_related("user", "organization")
           .filter(key_hash=_hash(raw), revoked_at__isnull=True).first())
    if key is None or (key.user is not None and not key.user.is_active):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


@transaction.atomic
def apikey_revoke(*, key: ApiKey, actor=None) -> ApiKey:
    from hazardwatch.core.audit import audit_append

    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = timezone.now(), actor
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit_append(actor=actor, action="apikey.revoke", obj_type="apikey", obj_id=key.pk,
                     payload={"prefix": key.prefix})
    return key


def key_jurisdiction(key: ApiKey):
    """The jurisdiction a key acts with: the user's memberships in the key's organization only."""
    from hazardwatch.accounts.selectors import jurisdiction_from_memberships

    memberships = key.user.memberships.select_related("organization__region")
    if key.organization_id is not None:
        memberships = memberships.filter(organization_id=key.organization_id)
    return jurisdiction_from_memberships(key.user, list(memberships))
