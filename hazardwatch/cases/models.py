"""The hazard case: one finding governed to closure, with its event timeline."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardwatch.cases.choices import OPEN_STATUSES, CaseGrade, CaseStatus, RejectCode
from hazardwatch.core.choices import Sector
from hazardwatch.core.models import TimeStampedModel
from hazardwatch.places.models import Located


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one place that decides which cases a user may see (and so act on).

        Regulators: region subtree × sectors of each regulator membership. Enterprise, school and
        community staff: cases whose responsible unit is their organization. Admins: all. Others: none.
        """
        from hazardwatch.accounts.selectors import jurisdiction_for_user

        j = jurisdiction_for_user(user)
        if j.is_admin:
            return self.all()
        q = models.Q(pk__in=[])
        for path, sectors in j.areas:
            q |= models.Q(region_path__startswith=path, sector__in=list(sectors))
        if j.unit_org_ids:
            q |= models.Q(responsible_unit_id__in=list(j.unit_org_ids))
        return self.filter(q)

    def open(self):
        return self.filter(status__in=list(OPEN_STATUSES))

    def overdue(self):
        return self.filter(is_overdue=True)


class Case(Located, TimeStampedModel):
    """A hazard under governance. Changed only by `cases.services.case_transition`."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    status = models.CharField(_("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.NEW,
                              db_index=True)
    grade = models.CharField(_("grade"), max_length=12, choices=CaseGrade.choices, blank=True, db_index=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, db_index=True)
    category = models.CharField(_("category"), max_length=32, blank=True)
    place_type = models.CharField(_("place type"), max_length=32, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.ForeignKey("places.Division", models.PROTECT, null=True, blank=True, related_name="cases",
                               verbose_name=_("region"))
    # Copy of region.path so jurisdiction filters are one indexed prefix match without a join.
    region_path = models.CharField(_("region path"), max_length=200, blank=True, db_index=True)
    regulator = models.ForeignKey("accounts.Organization", models.PROTECT, null=True, blank=True,
                                  related_name="cases_regulated", verbose_name=_("responsible regulator"))
    responsible_unit = models.ForeignKey("accounts.Organization", models.PROTECT, null=True, blank=True,
                                         related_name="cases_to_rectify", verbose_name=_("responsible unit"))
    supervising_regulator = models.ForeignKey("accounts.Organization", models.PROTECT, null=True, blank=True,
                                              related_name="cases_supervised",
                                              verbose_name=_("supervising regulator (after escalation)"))
    # Major-hazard determination: until the criteria catalogue exists, codes plus free text.
    criterion_standard = models.CharField(_("criterion standard"), max_length=80, blank=True)
    criterion_item = models.CharField(_("criterion item"), max_length=40, blank=True)
    criterion_note = models.TextField(_("determination note"), blank=True)
    criterion = models.ForeignKey("criteria.Criterion", models.PROTECT, null=True, blank=True, related_name="cases",
                                  verbose_name=_("confirmed criterion item"))
    criterion_edition = models.CharField(_("criterion edition"), max_length=20, blank=True,
                                         help_text=_("The edition in force on the finding date."))
    determined_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("determined by"))
    determined_at = models.DateTimeField(_("determined at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    is_overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    is_listed = models.BooleanField(_("listed for supervision"), default=False)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    listed_by = models.ForeignKey("accounts.Organization", models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("listed by"))
    public_reason = models.TextField(_("reason shown to the reporter"), blank=True)
    reject_code = models.CharField(_("rejection reason code"), max_length=20, choices=RejectCode.choices, blank=True,
                                   db_index=True)
    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="merged_cases",
                                    verbose_name=_("merged into"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    version = models.PositiveIntegerField(default=0)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            # the dashboard's incremental refresh finds changed cases by updated_at
            models.Index(fields=["updated_at"], name="cases_case_updated_idx"),
            # the cases of a few divisions within a creation-time window (the dashboard's live edge days of a
            # county or township view): equality on region, range on created_at
            models.Index(fields=["region", "created_at"], name="cases_case_region_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(grade="major") | ~models.Q(criterion_item=""),
                name="cases_case_major_needs_criterion",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def days_left(self) -> int | None:
        if not self.deadline:
            return None
        return (self.deadline - timezone.now()).days


class MajorHazardPlan(TimeStampedModel):
    """The five implementations (五落实) for a major hazard: responsibility, measures, funds, time, plan."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="plan", verbose_name=_("case"))
    responsibility = models.TextField(_("responsibility (people in charge)"))
    measures = models.TextField(_("rectification measures"))
    funds = models.TextField(_("funds and materials"))
    time_limit = models.DateField(_("time limit"))
    contingency_plan = models.TextField(_("safety measures and contingency plan"))

    class Meta:
        verbose_name = _("five implementations")
        verbose_name_plural = _("five implementations")


def evidence_path(instance, filename):
    import uuid

    return f"private/evidence/{instance.event.case_id}/{uuid.uuid4().hex}.{instance.extension}"


class CaseEvent(models.Model):
    """One step of the timeline. History views and exports read only from these rows."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events", verbose_name=_("case"))
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("actor"))
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24, blank=True)
    note = models.TextField(_("note"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    is_public = models.BooleanField(_("shown to the reporter"), default=False)
    audit_entry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]


class EvidencePhoto(models.Model):
    """A rectification evidence photo attached to a 'submit' event."""

    event = models.ForeignKey(CaseEvent, models.CASCADE, related_name="photos", verbose_name=_("event"))
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")


class Notification(models.Model):
    """An outgoing message to a reporter (the address is not stored here, only the channel and status)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="notifications")
    event = models.ForeignKey(CaseEvent, models.CASCADE, related_name="notifications")
    # Which report's reporter was told (a case with merged duplicates has several reporters).
    report = models.ForeignKey("reports.Report", models.CASCADE, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=10, default="sent")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "report"], name="cases_notification_once_per_report"),
        ]
