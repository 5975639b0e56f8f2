"""Risk points (the risk list), the bands that turn a score into a level, and links to hazard cases."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.models import TimeStampedModel
from hazardwatch.places.models import Located
from hazardwatch.risk.choices import LEVEL_COLOUR, ControlLevel, RiskLevel, RiskMethod


class RiskBand(models.Model):
    """One band of a method's scale: values in [min_value, max_value) get `level`.

    Bands are data (editable in the admin), loaded from `risk/data/bands.yaml` by
    `hazardwatch risk load-bands`, or created from that file the first time a score is graded.
    `max_value` empty = no upper bound.
    """

    method = models.CharField(_("method"), max_length=8, choices=RiskMethod.choices)
    min_value = models.DecimalField(_("from (inclusive)"), max_digits=10, decimal_places=3)
    max_value = models.DecimalField(_("to (exclusive)"), max_digits=10, decimal_places=3, null=True, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("risk band")
        verbose_name_plural = _("risk bands")
        ordering = ["method", "-min_value"]
        constraints = [
            models.UniqueConstraint(fields=["method", "level"], name="risk_riskband_one_per_level"),
            models.CheckConstraint(condition=models.Q(max_value__isnull=True)
                                   | models.Q(max_value__gt=models.F("min_value")),
                                   name="risk_riskband_min_below_max"),
        ]

    def __str__(self):
        upper = self.max_value if self.max_value is not None else "∞"
        return f"{self.get_method_display()} [{self.min_value}, {upper}) → {self.get_level_display()}"


class RiskPointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one place that decides which risk points a user may see.

        Admins: all. Enterprise, school and community staff: their organizations' points. Regulators:
        points whose region path (the organization's region, or the point's own region for public places)
        lies in one of their jurisdiction subtrees. Sectors are deliberately ignored: the risk list and
        the four-colour map are the whole region's picture, shared by every department of that region.
        """
        from hazardwatch.accounts.selectors import jurisdiction_for_user

        j = jurisdiction_for_user(user)
        if j.is_admin:
            return self.all()
        q = models.Q(pk__in=[])
        for path, _sectors in j.areas:
            q |= models.Q(region_path__startswith=path)
        if j.unit_org_ids:
            q |= models.Q(organization_id__in=list(j.unit_org_ids))
        return self.filter(q)

    def with_effective_level(self):
        """Annotate `has_open_major`: an open confirmed major hazard is linked (forces the point red)."""
        from hazardwatch.cases.choices import OPEN_STATUSES, CaseGrade

        open_major = RiskPointCase.objects.filter(
            risk_point=models.OuterRef("pk"), case__grade=CaseGrade.MAJOR, case__status__in=list(OPEN_STATUSES))
        return self.annotate(has_open_major=models.Exists(open_major))


class RiskPoint(Located, TimeStampedModel):
    """One row of the risk list (安全风险清单): a place, activity or equipment graded by LEC or LS.

    Belongs to an organization (enterprise, school, community) or, for public places, to a region.
    `value` and `level` are computed by `risk.services` from the scores and the bands; the effective
    level shown on lists and maps is red while a linked open major hazard case exists.
    """

    organization = models.ForeignKey("accounts.Organization", models.CASCADE, null=True, blank=True,
                                     related_name="risk_points", verbose_name=_("organization"))
    region = models.ForeignKey("places.Division", models.PROTECT, null=True, blank=True, related_name="risk_points",
                               verbose_name=_("region"),
                               help_text=_("For public places without an organization; otherwise the organization's."))
    # Copy of the region path (organization's region, else region) so visibility is one prefix match.
    region_path = models.CharField(_("region path"), max_length=200, blank=True, db_index=True)
    name = models.CharField(_("risk point"), max_length=120)
    area = models.CharField(_("area or zone"), max_length=120, blank=True,
                            help_text=_("Points with the same area and zone polygon form one zone on the map."))
    zone = models.JSONField(_("zone polygon (GeoJSON)"), null=True, blank=True)
    activity = models.CharField(_("activity, equipment or facility"), max_length=200, blank=True)
    hazard_factors = models.JSONField(_("hazard factors"), default=list, blank=True,
                                      help_text=_("List of {category, description}; categories per GB/T 13861."))
    accident_types = models.JSONField(_("possible accident types"), default=list, blank=True,
                                      help_text=_("Codes from the GB 6441 list."))
    method = models.CharField(_("method"), max_length=8, choices=RiskMethod.choices)
    score_l = models.DecimalField(_("L (likelihood)"), max_digits=5, decimal_places=1)
    score_e = models.DecimalField(_("E (exposure)"), max_digits=5, decimal_places=1, null=True, blank=True)
    score_c = models.DecimalField(_("C (consequence)"), max_digits=5, decimal_places=1, null=True, blank=True)
    score_s = models.DecimalField(_("S (severity)"), max_digits=5, decimal_places=1, null=True, blank=True)
    value = models.DecimalField(_("value (D or R)"), max_digits=10, decimal_places=3)
    level = models.CharField(_("level (from the score)"), max_length=10, choices=RiskLevel.choices, db_index=True)
    control_level = models.CharField(_("control level"), max_length=12, choices=ControlLevel.choices)
    measures_engineering = models.TextField(_("engineering measures"), blank=True)
    measures_management = models.TextField(_("management measures"), blank=True)
    measures_training = models.TextField(_("training and education"), blank=True)
    measures_ppe = models.TextField(_("personal protective equipment"), blank=True)
    measures_emergency = models.TextField(_("emergency measures"), blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=80)
    responsible_department = models.CharField(_("responsible department"), max_length=120, blank=True)
    review_date = models.DateField(_("next review date"), null=True, blank=True, db_index=True)
    cases = models.ManyToManyField("cases.Case", through="RiskPointCase", related_name="risk_points", blank=True,
                                   verbose_name=_("linked hazard cases"))

    objects = RiskPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        ordering = ["organization_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(organization__isnull=False) | models.Q(region__isnull=False),
                                   name="risk_riskpoint_has_owner"),
        ]

    def __str__(self):
        return self.name

    @property
    def colour(self) -> str:
        return LEVEL_COLOUR[self.level]

    @property
    def effective_level(self) -> str:
        """The score's level, or major while a linked open major hazard exists (needs `with_effective_level`)."""
        if getattr(self, "has_open_major", False):
            return RiskLevel.MAJOR
        return self.level

    @property
    def effective_colour(self) -> str:
        return LEVEL_COLOUR[RiskLevel(self.effective_level)]

    @property
    def is_review_overdue(self) -> bool:
        return self.review_date is not None and self.review_date < timezone.localdate()

    @property
    def owner_name(self) -> str:
        if self.organization_id:
            return self.organization.display_name
        return self.region.name if self.region_id else ""


class RiskPointCase(models.Model):
    """A hazard case found at a risk point. An open major case makes the point red until it closes."""

    risk_point = models.ForeignKey(RiskPoint, models.CASCADE, related_name="case_links", verbose_name=_("risk point"))
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="risk_point_links", verbose_name=_("case"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("linked by"))
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("risk point case")
        verbose_name_plural = _("risk point cases")
        constraints = [
            models.UniqueConstraint(fields=["risk_point", "case"], name="risk_riskpointcase_once"),
        ]
