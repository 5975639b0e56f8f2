"""Campaigns run by an organizing office: deadlines, liaison officers, activities, summaries and reminders."""
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.models import TimeStampedModel


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community or village")


UNIT_KIND_VALUES = [k.value for k in UnitKind]


class ActivityKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    DRILL = "drill", _("Drill")
    CONSULTATION = "consultation", _("Consultation-day stand")
    TRAINING = "training", _("Training")
    CONTEST = "contest", _("Contest")
    OTHER = "other", _("Other")


class Deadline(models.TextChoices):
    LIAISON = "liaison", _("Liaison officer")
    SUMMARY = "summary", _("Activity summary")


class Campaign(TimeStampedModel):
    """A time-boxed drive (e.g. Safety Production Month) organized by one campaign office for its region."""

    office = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="campaigns",
                               verbose_name=_("organizing office"))
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    liaison_due = models.DateField(_("liaison officer due"))
    summary_due = models.DateField(_("activity summary due"))
    unit_kinds = models.JSONField(_("participating unit kinds"), default=list)
    reminder_days = models.PositiveSmallIntegerField(_("remind this many days before a deadline"), default=3,
                                                     validators=[MaxValueValidator(60)])
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="campaigns_campaign_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def due(self, deadline: str):
        return self.liaison_due if deadline == Deadline.LIAISON else self.summary_due


class Liaison(TimeStampedModel):
    """The unit's liaison officer for one campaign. Personal data: shown only to the office and the unit."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="liaisons", verbose_name=_("campaign"))
    unit = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="+", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=80)
    phone = models.CharField(_("phone"), max_length=24)
    email = models.EmailField(_("e-mail"), blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    is_late = models.BooleanField(_("registered after the deadline"), default=False)

    class Meta:
        verbose_name = _("liaison officer")
        verbose_name_plural = _("liaison officers")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="campaigns_liaison_unique")]


class Activity(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="activities", verbose_name=_("campaign"))
    unit = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"), validators=[MinValueValidator(1)])
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "unit"], name="campaigns_activity_unit_idx")]


def activity_photo_path(instance, filename):
    return f"private/campaigns/{instance.activity.campaign_id}/{uuid.uuid4().hex}.{instance.extension}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="photos", verbose_name=_("activity"))
    file = models.FileField(_("file"), upload_to=activity_photo_path, max_length=200)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")


class Summary(TimeStampedModel):
    """A unit's activity summary for one campaign; every filing is kept as a SummaryVersion."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="summaries", verbose_name=_("campaign"))
    unit = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="+", verbose_name=_("unit"))
    current = models.ForeignKey("SummaryVersion", models.SET_NULL, null=True, related_name="+")
    first_filed_at = models.DateTimeField(_("first filed at"))
    is_late = models.BooleanField(_("filed after the deadline"), default=False)

    class Meta:
        verbose_name = _("activity summary")
        verbose_name_plural = _("activity summaries")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="campaigns_summary_unique")]


FIGURE_KEYS = ["activities", "participants", "hazards_found", "hazards_fixed", "checklists_run", "quiz_takers",
               "drills"]


class SummaryVersion(models.Model):
    summary = models.ForeignKey(Summary, models.CASCADE, related_name="versions", verbose_name=_("summary"))
    number = models.PositiveIntegerField(_("version"))
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    is_late = models.BooleanField(_("filed after the deadline"), default=False)
    figures = models.JSONField(_("figures as filed"), default=dict)
    platform_figures = models.JSONField(_("platform figures at filing"), default=dict)
    narrative = models.TextField(_("summary text"))

    class Meta:
        verbose_name = _("summary version")
        verbose_name_plural = _("summary versions")
        ordering = ["summary", "number"]
        constraints = [models.UniqueConstraint(fields=["summary", "number"], name="campaigns_summaryversion_unique")]


class Reminder(models.Model):
    """One reminder sent: the unique row makes every reminder go out once, however often the job runs."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the deadline")
        LATE = "late", _("After the deadline")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="reminders")
    unit = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="+")
    deadline = models.CharField(max_length=10, choices=Deadline.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=8)
    address = models.CharField(max_length=254)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("campaign reminder")
        verbose_name_plural = _("campaign reminders")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "deadline", "kind", "channel"],
                                               name="campaigns_reminder_once")]
