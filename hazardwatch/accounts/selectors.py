"""Who may see what: jurisdiction = region subtree × sectors, and organization membership."""
from dataclasses import dataclass, field

from hazardwatch.accounts.models import REGULATOR_ROLES, UNIT_ROLES, Membership, OrganizationKind, Role


@dataclass(frozen=True)
class Jurisdiction:
    """Region paths × sectors for each regulator membership, plus unit organizations."""

    is_admin: bool = False
    areas: tuple[tuple[str, frozenset[str]], ...] = ()  # (division path prefix, sectors)
    unit_org_ids: frozenset[int] = field(default_factory=frozenset)
    regulator_org_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_regulator(self) -> bool:
        return bool(self.areas)

    def covers(self, region_path: str, sector: str) -> bool:
        if self.is_admin:
            return True
        return any(region_path.startswith(p) and sector in s for p, s in self.areas)


def jurisdiction_for_user(user) -> Jurisdiction:
    if user is None or not user.is_authenticated or not user.is_active:
        return Jurisdiction()
    cached = getattr(user, "_hw_jurisdiction", None)
    if cached is not None:
        return cached
    j = jurisdiction_from_memberships(
        user, list(Membership.objects.filter(user=user).select_related("organization__region")))
    user._hw_jurisdiction = j
    return j


def jurisdiction_from_memberships(user, memberships) -> Jurisdiction:
    """The jurisdiction these memberships of the user give (all of them, or an API key's organization's)."""
    roles = frozenset(m.role for m in memberships)
    areas = tuple(
        (m.organization.region.path, frozenset(m.organization.sectors))
        for m in memberships
        if m.role in REGULATOR_ROLES and m.organization.kind == OrganizationKind.REGULATOR
    )
    units = frozenset(m.organization_id for m in memberships if m.role in UNIT_ROLES)
    regs = frozenset(m.organization_id for m in memberships if m.role in REGULATOR_ROLES)
    return Jurisdiction(
        is_admin=user.is_superuser or Role.ADMIN in roles,
        areas=areas,
        unit_org_ids=units,
        regulator_org_ids=regs,
        roles=roles,
    )


def user_is_staff_user(user) -> bool:
    """Anyone with a role that uses the workbench."""
    j = jurisdiction_for_user(user)
    return j.is_admin or j.is_regulator or bool(j.unit_org_ids)
