"""Reports as received (immutable), their photos, reporter identity (encrypted) and device keys."""
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.choices import Sector
from hazardwatch.places.models import Located
from hazardwatch.reports.choices import DeviceKind, PlaceType, ReportCategory, ReportSource


class Report(Located):
    """One report exactly as received. Never edited after intake; corrections live on the case.

    No IP address or user agent is stored. The receipt code is stored only as a keyed hash.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    receipt_hash = models.CharField(_("receipt hash"), max_length=64, unique=True)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    source = models.CharField(_("source"), max_length=12, choices=ReportSource.choices, default=ReportSource.WEB)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=32, choices=ReportCategory.choices,
                                default=ReportCategory.OTHER)
    place_type = models.CharField(_("place type"), max_length=32, choices=PlaceType.choices, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.ForeignKey("places.Division", models.PROTECT, null=True, blank=True, related_name="reports",
                               verbose_name=_("region"))
    sector_guess = models.CharField(_("sector (guessed)"), max_length=32, choices=Sector.choices, blank=True)
    is_major_candidate = models.BooleanField(
        _("may meet a major-hazard criterion"), default=False,
        help_text=_("Suggested by the matcher for staff; never shown to the public before an official confirms it."))
    is_anonymous = models.BooleanField(_("anonymous"), default=True)
    reported_unit = models.ForeignKey("accounts.Organization", models.PROTECT, null=True, blank=True,
                                      related_name="reports_about", verbose_name=_("reported unit"))
    device = models.ForeignKey("reports.DeviceKey", models.PROTECT, null=True, blank=True, related_name="reports",
                               verbose_name=_("device"))
    device_model = models.CharField(_("device or model name"), max_length=120, blank=True)
    confidence = models.FloatField(_("detection confidence"), null=True, blank=True)
    case = models.ForeignKey("cases.Case", models.SET_NULL, null=True, blank=True, related_name="reports",
                             verbose_name=_("case"))
    # Keyed hash (HMAC) of the reporter's phone, else e-mail: counts reports per identified reporter for
    # abuse control without keeping the clear value here. Empty for anonymous reports.
    reporter_key = models.CharField(_("reporter key (keyed hash)"), max_length=64, blank=True, db_index=True)
    followed_existing = models.BooleanField(
        _("follows an existing case"), default=False,
        help_text=_("The reporter chose a likely duplicate before submitting: no new case was opened."))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.get_category_display()} · {self.submitted_at:%Y-%m-%d}"


def photo_path(instance, filename):
    # Originals live under private/: media is never served by URL, only through access-checked views.
    return f"private/reports/{instance.report.submitted_at:%Y/%m}/{uuid.uuid4().hex}.{instance.extension}"


def derivative_path(instance, filename):
    return f"derived/reports/{instance.report.submitted_at:%Y/%m}/{filename}"


class ReportPhoto(models.Model):
    """A photo as uploaded (kept private) plus a re-encoded copy without metadata and a thumbnail."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="photos", verbose_name=_("report"))
    original = models.FileField(_("original"), upload_to=photo_path, max_length=200)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(_("content type"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    exif_lat = models.FloatField(_("EXIF latitude"), null=True, blank=True)
    exif_lon = models.FloatField(_("EXIF longitude"), null=True, blank=True)
    taken_at = models.CharField(_("taken at (EXIF)"), max_length=40, blank=True)
    stripped = models.FileField(_("copy without metadata"), upload_to=derivative_path, blank=True, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=derivative_path, blank=True, max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True, db_index=True)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["report_id", "position"]


class ReporterIdentity(models.Model):
    """Name and contact of a reporter, encrypted at rest, apart from the report.

    Read only through `reports.services.identity_read`, which writes an audit entry for every read.
    Never shown to the reported unit, never logged, never exported unmasked.
    """

    report = models.OneToOneField(Report, models.CASCADE, related_name="identity", verbose_name=_("report"))
    ciphertext = models.TextField(_("encrypted identity"))
    is_employee = models.BooleanField(_("employee of the reported unit"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reporter identity")
        verbose_name_plural = _("reporter identities")


class DeviceKey(models.Model):
    """An API key for a device or partner system (stored as a hash)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=DeviceKind.choices)
    organization = models.ForeignKey("accounts.Organization", models.PROTECT, null=True, blank=True,
                                     verbose_name=_("owner"))
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("device key")
        verbose_name_plural = _("device keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class FixFeedback(models.Model):
    """The reporter's answer to "was it fixed?" after closure: one per report, by receipt code.

    The optional photo is stored on the case event the answer created (a dispute for "no", a
    confirmation for "yes") as an evidence photo.
    """

    report = models.OneToOneField(Report, models.CASCADE, related_name="fix_feedback", verbose_name=_("report"))
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="fix_feedback", verbose_name=_("case"))
    is_fixed = models.BooleanField(_("fixed"))
    comment = models.TextField(_("comment"), blank=True)
    event = models.ForeignKey("cases.CaseEvent", models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fix feedback")
        verbose_name_plural = _("fix feedback")


class IntakeCounter(models.Model):
    """Daily counters of intake events that store nothing else (e.g. honeypot hits)."""

    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=40)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("intake counter")
        verbose_name_plural = _("intake counters")
        constraints = [models.UniqueConstraint(fields=["day", "name"], name="reports_intakecounter_once")]
