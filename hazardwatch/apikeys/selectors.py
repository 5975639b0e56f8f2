"""Who may see, issue and revoke API keys (shared by the staff pages and /api/v1/apikeys)."""
from django.db.models import Q

from hazardwatch.accounts.models import Membership, Organization, Role
from hazardwatch.accounts.selectors import jurisdiction_for_user
from hazardwatch.apikeys.models import ApiKey


def may_manage_keys(user) -> bool:
    """Anyone with a staff role (any membership other than reporter), and administrators."""
    if user is None or not user.is_authenticated:
        return False
    j = jurisdiction_for_user(user)
    return j.is_admin or bool(set(j.roles) - {Role.REPORTER})


def issuing_organizations(user):
    """The organizations a user may issue a key for: their staff memberships (superusers: any)."""
    if user.is_superuser:
        return Organization.objects.order_by("name", "pk")
    org_ids = (Membership.objects.filter(user=user).exclude(role=Role.REPORTER)
               .values_list("organization_id", flat=True))
    return Organization.objects.filter(pk__in=org_ids).order_by("name", "pk")


def keys_visible_to(user, *, state: str = "", organization_id: int | None = None, q: str = ""):
    """Keys the user created or that act as them, and keys acting for their organizations; administrators all.

    A key restricted to one organization (request.api_key with an organization) sees only that organization's
    keys and its own user's keys."""
    qs = ApiKey.objects.select_related("user", "organization", "created_by", "revoked_by")
    if not may_manage_keys(user):
        return qs.none()
    j = jurisdiction_for_user(user)
    if not j.is_admin:
        org_ids = (Membership.objects.filter(user=user).exclude(role=Role.REPORTER)
                   .values_list("organization_id", flat=True))
        qs = qs.filter(Q(created_by=user) | Q(user=user) | Q(organization_id__in=list(org_ids)))
    if state == "active":
        qs = qs.filter(revoked_at__isnull=True)
    elif state == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(prefix__istartswith=q))
    return qs.order_by("-created_at", "-pk")


STATES = ("", "active", "revoked")
