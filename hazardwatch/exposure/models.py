"""The exposure column: a case curated for publication, its redacted text and redacted photos."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.choices import Sector
from hazardwatch.core.models import TimeStampedModel
from hazardwatch.exposure.choices import HIDDEN_CASE_STATUSES, PhotoKind, PhotoSource, PublicationStatus


class PublicationQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: published items of cases still in an accepted state."""
        return self.filter(status=PublicationStatus.PUBLISHED).exclude(case__status__in=list(HIDDEN_CASE_STATUSES))

    def visible_to(self, user):
        """Regulators see the publications of the cases in their jurisdiction (region subtree × sectors, or
        cases of their department); admins see all. Responsible units never do: curation is the regulator's."""
        from hazardwatch.accounts.selectors import jurisdiction_for_user

        j = jurisdiction_for_user(user)
        if j.is_admin:
            return self.all()
        q = models.Q(pk__in=[])
        for path, sectors in j.areas:
            q |= models.Q(case__region_path__startswith=path, case__sector__in=list(sectors))
        if j.regulator_org_ids:
            ids = list(j.regulator_org_ids)
            q |= models.Q(case__regulator_id__in=ids) | models.Q(case__supervising_regulator_id__in=ids)
        return self.filter(q)


class Publication(TimeStampedModel):
    """One case in the exposure column. Changed only by `exposure.services` (one table: transitions.py).

    The public sees only `public_title`, `public_text`, the county-level `region`, the sector, the case's
    open/fixed state and the redacted photos; never the report, the reporter or the original photos.
    """

    case = models.OneToOneField("cases.Case", models.CASCADE, related_name="publication", verbose_name=_("case"))
    status = models.CharField(_("status"), max_length=20, choices=PublicationStatus.choices,
                              default=PublicationStatus.DRAFT, db_index=True)
    public_title = models.CharField(_("public title"), max_length=120)
    public_text = models.TextField(_("public text"))
    # County-level division (never finer), copied at proposal so the column filters without joins.
    region = models.ForeignKey("places.Division", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("region (county level)"))
    region_path = models.CharField(_("region path"), max_length=200, blank=True, db_index=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted for sign-off by"))
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("signed off by"))
    redacted_at = models.DateTimeField(_("photos redacted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    taken_down_at = models.DateTimeField(_("taken down at"), null=True, blank=True)
    takedown_reason = models.TextField(_("takedown reason"), blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("exposure publication")
        verbose_name_plural = _("exposure publications")
        ordering = ["-published_at", "-created_at"]

    def __str__(self):
        return self.public_title

    @property
    def is_fixed(self) -> bool:
        from hazardwatch.cases.choices import CaseStatus

        return self.case.status == CaseStatus.CLOSED


def redacted_path(instance, filename):
    return f"exposure/{uuid.uuid4().hex}.jpg"


class PublicationPhoto(models.Model):
    """A photo of the case re-encoded for publication: no metadata, faces and drawn boxes blurred.

    Only this file is ever served publicly; `source`/`source_id` point at the private original.
    """

    publication = models.ForeignKey(Publication, models.CASCADE, related_name="photos",
                                    verbose_name=_("publication"))
    kind = models.CharField(_("kind"), max_length=8, choices=PhotoKind.choices)
    source = models.CharField(_("source"), max_length=10, choices=PhotoSource.choices)
    source_id = models.PositiveIntegerField(_("source photo id"))
    file = models.FileField(_("redacted file"), upload_to=redacted_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    faces = models.JSONField(_("faces blurred automatically"), default=list, blank=True,
                             help_text=_("Pixel boxes [x, y, w, h] found by the face detector."))
    boxes = models.JSONField(_("boxes blurred by hand"), default=list, blank=True,
                             help_text=_("Normalized boxes [x, y, w, h] drawn by staff (0–1 of width and height)."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("published photo")
        verbose_name_plural = _("published photos")
        ordering = ["publication_id", "-kind", "position"]  # before, then after
        constraints = [
            models.UniqueConstraint(fields=["publication", "source", "source_id"],
                                    name="exposure_publicationphoto_once"),
        ]
