"""The versioned catalogue of official major-hazard criteria, and the matches stored with reports."""
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class StandardQuerySet(models.QuerySet):
    def current_versions(self):
        return self.filter(is_current=True)

    def in_force_on(self, day):
        return self.current_versions().filter(effective_from__lte=day).filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day))


class Standard(models.Model):
    """One edition of a criteria document. Reloading a changed file adds a new version; old ones stay."""

    code = models.CharField(_("code"), max_length=40, db_index=True)
    edition = models.CharField(_("edition"), max_length=20)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300)
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200, blank=True)
    issuer_en = models.CharField(_("issuer (English)"), max_length=300, blank=True)
    document_number = models.CharField(_("document number"), max_length=120)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    sectors = models.JSONField(_("sectors"), default=list)
    url = models.URLField(_("official text"), max_length=500, blank=True)
    notes_zh = models.TextField(_("notes (Chinese)"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("criteria standard")
        verbose_name_plural = _("criteria standards")
        ordering = ["code", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "edition", "version"], name="criteria_standard_version_unique"),
        ]

    def __str__(self):
        return f"{self.document_number} ({self.edition})"

    @property
    def title(self) -> str:
        return self.title_en if (translation.get_language() or "").startswith("en") else self.title_zh


class Criterion(models.Model):
    """One item of a standard edition, in our own words (never presented as the legal text)."""

    standard = models.ForeignKey(Standard, models.CASCADE, related_name="items", verbose_name=_("standard"))
    code = models.CharField(_("item"), max_length=40)
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, default="direct",
                            choices=[("direct", _("Direct")), ("composite", _("Composite"))])
    group_zh = models.CharField(_("group (Chinese)"), max_length=200, blank=True)
    group_en = models.CharField(_("group (English)"), max_length=300, blank=True)
    text_zh = models.TextField(_("paraphrase (Chinese)"))
    text_en = models.TextField(_("paraphrase (English)"))
    sectors = models.JSONField(_("sectors"), default=list)
    place_types = models.JSONField(_("place types"), default=list)
    keywords = models.JSONField(_("keywords"), default=list)
    requires = models.JSONField(_("concept groups"), default=list)
    defect = models.CharField(_("defect"), max_length=10, default="present")
    thresholds = models.JSONField(_("thresholds"), default=list)
    unverified = models.BooleanField(_("not checked against the official text"), default=False)

    class Meta:
        verbose_name = _("criterion item")
        verbose_name_plural = _("criterion items")
        ordering = ["standard", "position"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="criteria_criterion_code_unique")]

    def __str__(self):
        return f"{self.standard.document_number} {self.code}"

    @property
    def text(self) -> str:
        return self.text_en if (translation.get_language() or "").startswith("en") else self.text_zh

    @property
    def group(self) -> str:
        return self.group_en if (translation.get_language() or "").startswith("en") else self.group_zh


class ReportCriterionMatch(models.Model):
    """A candidate item found for a report on intake, with the reasons; the catalogue version is the item's."""

    report = models.ForeignKey("reports.Report", models.CASCADE, related_name="criterion_matches",
                               verbose_name=_("report"))
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="matches", verbose_name=_("item"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    is_full = models.BooleanField(_("all conditions present"), default=False)
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("criterion match")
        verbose_name_plural = _("criterion matches")
        ordering = ["report", "rank"]
