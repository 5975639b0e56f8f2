"""Drills (exercises) planned and recorded by units, with on-site observations, photos and issues found.

An issue found during a drill becomes a hazard report through the public intake service; the drill keeps a
link to that report (and so to its case).
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.models import TimeStampedModel
from hazardwatch.drills.choices import DrillKind, DrillStatus


class DrillQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one place that decides which drills a user may see.

        Admins: all. Unit staff: their organizations' drills. Regulators: their own organization's drills and
        the drills of every unit whose region lies in one of their jurisdiction subtrees (any sector: drills
        are the region's preparedness picture).
        """
        from hazardwatch.accounts.selectors import jurisdiction_for_user

        j = jurisdiction_for_user(user)
        if j.is_admin:
            return self.all()
        q = models.Q(pk__in=[])
        for path, _sectors in j.areas:
            q |= models.Q(region_path__startswith=path)
        own = set(j.unit_org_ids) | set(j.regulator_org_ids)
        if own:
            q |= models.Q(organization_id__in=sorted(own))
        return self.filter(q)


class Drill(TimeStampedModel):
    """One exercise: the plan (kind, scenario, time, place, participants) and then its record."""

    # CASCADE (not PROTECT) so `hazardwatch demo reset` can remove demo organizations with their drills.
    organization = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="drills",
                                     verbose_name=_("organizing unit"))
    # Copy of the organization's region path so regulators' visibility is one prefix match.
    region_path = models.CharField(_("region path"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=DrillKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=120)
    scenario = models.TextField(_("scenario"))
    scheduled_at = models.DateTimeField(_("scheduled for"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lon = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    planned_minutes = models.PositiveIntegerField(_("planned duration (minutes)"))
    planned_participants = models.PositiveIntegerField(_("planned participants"))
    participant_groups = models.TextField(_("participant roles and groups"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DrillStatus.choices, default=DrillStatus.PLANNED,
                              db_index=True)
    # The record.
    started_at = models.DateTimeField(_("actual start"), null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(_("actual end"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants (actual)"), null=True, blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    evacuation_seconds = models.PositiveIntegerField(_("evacuation time (seconds)"), null=True, blank=True)
    headcount_expected = models.PositiveIntegerField(_("people expected"), null=True, blank=True)
    headcount_accounted = models.PositiveIntegerField(_("people accounted for"), null=True, blank=True)
    headcount_note = models.CharField(_("headcount note"), max_length=500, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("planned by"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))

    objects = DrillQuerySet.as_manager()

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-scheduled_at", "-pk"]
        indexes = [models.Index(fields=["organization", "started_at"], name="drills_org_started_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True) | models.Q(started_at__isnull=True)
                                   | models.Q(ended_at__gte=models.F("started_at")),
                                   name="drills_drill_end_after_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def duration_minutes(self) -> int | None:
        if self.started_at and self.ended_at:
            return round((self.ended_at - self.started_at).total_seconds() / 60)
        return None

    @property
    def is_evacuation(self) -> bool:
        return self.kind == DrillKind.EVACUATION

    @property
    def headcount_missing(self) -> int | None:
        if self.headcount_expected is None or self.headcount_accounted is None:
            return None
        return self.headcount_expected - self.headcount_accounted


class DrillObservation(models.Model):
    """A timestamped note taken during the drill (usually on a phone)."""

    drill = models.ForeignKey(Drill, models.CASCADE, related_name="observations", verbose_name=_("drill"))
    at = models.DateTimeField(_("time"), db_index=True)
    text = models.TextField(_("observation"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("author"))

    class Meta:
        verbose_name = _("drill observation")
        verbose_name_plural = _("drill observations")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.text[:40]


def drill_photo_path(instance, filename):
    # Private like report originals: served only through the access-checked drill photo view.
    return f"private/drills/{instance.drill_id}/{uuid.uuid4().hex}.{instance.extension}"


class DrillPhoto(models.Model):
    """A photo of the drill, validated like intake photos (format, size, pixels, completeness)."""

    drill = models.ForeignKey(Drill, models.CASCADE, related_name="photos", verbose_name=_("drill"))
    observation = models.ForeignKey(DrillObservation, models.SET_NULL, null=True, blank=True, related_name="photos",
                                    verbose_name=_("observation"))
    file = models.FileField(_("file"), upload_to=drill_photo_path, max_length=200)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(_("content type"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("drill photo")
        verbose_name_plural = _("drill photos")
        ordering = ["uploaded_at", "pk"]


class DrillIssue(models.Model):
    """A problem found during the drill, turned into a hazard report (and so a case) at once."""

    drill = models.ForeignKey(Drill, models.CASCADE, related_name="issues", verbose_name=_("drill"))
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=32)
    # Reports are never deleted in normal use; CASCADE only lets the demo reset remove its reports.
    report = models.OneToOneField("reports.Report", models.CASCADE, related_name="drill_issue",
                                  verbose_name=_("report"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("reported by"))
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("drill issue")
        verbose_name_plural = _("drill issues")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.description[:40]
