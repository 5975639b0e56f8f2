"""Users, organizations, memberships with roles, and organization policy."""
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.uscc import validate_uscc
from hazardwatch.core.choices import SECTOR_VALUES, Sector
from hazardwatch.core.models import TimeStampedModel
from hazardwatch.places.models import Located


class User(AbstractUser):
    """A person who signs in: staff of regulators, enterprises, schools, communities, or a reporter."""

    display_name = models.CharField(_("display name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username


class OrganizationKind(models.TextChoices):
    REGULATOR = "regulator", _("Regulator department")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community or village")
    CAMPAIGN_OFFICE = "campaign_office", _("Campaign office")


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    SAFETY_OFFICER = "safety_officer", _("Enterprise safety officer")
    GRID_MEMBER = "grid_member", _("Grid member")
    REGULATOR_STAFF = "regulator_staff", _("Regulator staff")
    REGULATOR_LEADER = "regulator_leader", _("Regulator leader")
    REWARD_REVIEWER = "reward_reviewer", _("Reward reviewer")
    CAMPAIGN_OFFICE = "campaign_office", _("Campaign office")
    ADMIN = "admin", _("Administrator")


REGULATOR_ROLES = frozenset({Role.REGULATOR_STAFF, Role.REGULATOR_LEADER})
UNIT_ROLES = frozenset({Role.SAFETY_OFFICER, Role.GRID_MEMBER})


def validate_sectors(value) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or any(v not in SECTOR_VALUES for v in value):
        raise ValidationError(_("Sectors must be a list of known sector codes."), code="sectors")


class Organization(Located, TimeStampedModel):
    """A regulator department (sector set + region), enterprise, school, community or campaign office."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    region = models.ForeignKey("places.Division", models.PROTECT, related_name="organizations",
                               verbose_name=_("region"))
    sectors = models.JSONField(_("sectors"), default=list, blank=True, validators=[validate_sectors],
                               help_text=_("For regulators: the sectors this department supervises."))
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc])
    address = models.CharField(_("address"), max_length=300, blank=True)
    primary_sector = models.CharField(_("main sector"), max_length=32, choices=Sector.choices, blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="accounts_organization_uscc_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Membership(models.Model):
    """A user's role in an organization. A user may hold several."""

    user = models.ForeignKey(User, models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships",
                                     verbose_name=_("organization"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="accounts_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class OrgPolicy(models.Model):
    """Deadlines and escalation for cases handled by one regulator (data, not settings)."""

    organization = models.OneToOneField(Organization, models.CASCADE, related_name="policy",
                                        verbose_name=_("organization"))
    general_deadline_days = models.PositiveIntegerField(_("general hazard deadline (days)"), default=15,
                                                        validators=[MinValueValidator(1)])
    major_deadline_days = models.PositiveIntegerField(_("major hazard deadline (days)"), default=90,
                                                      validators=[MinValueValidator(1)])
    acceptance_days = models.PositiveIntegerField(_("days to accept or reject a new report"), default=7,
                                                  validators=[MinValueValidator(1)])
    escalate_when_overdue = models.BooleanField(_("escalate overdue cases to the next level"), default=True)

    class Meta:
        verbose_name = _("organization policy")
        verbose_name_plural = _("organization policies")

    def __str__(self):
        return str(self.organization)


DEFAULT_POLICY = OrgPolicy(general_deadline_days=15, major_deadline_days=90, acceptance_days=7)


class TOTPDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP). The shared secret is encrypted at rest (core.secrets).

    A device counts only once `confirmed_at` is set, i.e. after the user typed a valid code from the app;
    `last_step` is the last accepted 30-second time step, so a code cannot be used twice (replay).
    """

    user = models.OneToOneField(User, models.CASCADE, related_name="totp_device", verbose_name=_("user"))
    secret_encrypted = models.TextField(_("encrypted secret"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_step = models.BigIntegerField(_("last accepted time step"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")

    def __str__(self):
        return f"{self.user} · {'confirmed' if self.confirmed_at else 'pending'}"


class RecoveryCode(models.Model):
    """A one-time recovery code for when the phone is lost; only its keyed hash is stored."""

    user = models.ForeignKey(User, models.CASCADE, related_name="recovery_codes", verbose_name=_("user"))
    code_hash = models.CharField(_("code hash"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="accounts_recoverycode_unique"),
        ]
