"""Self-inspection checklists: versioned templates loaded from YAML, runs with answers, and inspections.

A template is data (hazardwatch/checklists/data/*.yaml). Loading a changed file adds a new version;
runs keep the version they were started with. A run belongs to a unit when the person is signed in as
staff of one (safety officer, grid member) or is an inspector on an inspection; a family's run is
anonymous and reached by its unguessable token.
"""
import secrets

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.choices import Sector


def _en() -> bool:
    return (translation.get_language() or "").startswith("en")


class Audience(models.TextChoices):
    FAMILY = "family", _("Family home")
    SCHOOL = "school", _("School")
    RURAL = "rural", _("Rural area")
    COMMUNITY = "community", _("Community")
    ENTERPRISE = "enterprise", _("Enterprise")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class ChecklistTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    source_file = models.CharField(_("source file"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["audience", "code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="checklists_template_version_unique")]

    def __str__(self):
        return f"{self.code} v{self.version}"

    @property
    def title(self) -> str:
        return self.title_en if _en() else self.title_zh

    @property
    def intro(self) -> str:
        return self.intro_en if _en() else self.intro_zh


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, models.CASCADE, related_name="items", verbose_name=_("template"))
    code = models.CharField(_("code"), max_length=40)
    position = models.PositiveIntegerField(_("position"), default=0)
    section_zh = models.CharField(_("section (Chinese)"), max_length=120, blank=True)
    section_en = models.CharField(_("section (English)"), max_length=200, blank=True)
    text_zh = models.TextField(_("question (Chinese)"))
    text_en = models.TextField(_("question (English)"))
    help_zh = models.TextField(_("help (Chinese)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    hazard_answer = models.CharField(_("answer that means a hazard"), max_length=3, default=Answer.NO,
                                     choices=[(Answer.YES, _("Yes")), (Answer.NO, _("No"))])
    category = models.CharField(_("report category"), max_length=32, default="other")
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    place_type = models.CharField(_("place type"), max_length=32, blank=True)
    criterion = models.CharField(_("criteria item"), max_length=60, blank=True,
                                 help_text=_("standard code and item, e.g. gongmao:3.2"))

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="checklists_item_code_unique")]

    def __str__(self):
        return f"{self.template.code}/{self.code}"

    @property
    def text(self) -> str:
        return self.text_en if _en() else self.text_zh

    @property
    def help(self) -> str:
        return self.help_en if _en() else self.help_zh

    @property
    def section(self) -> str:
        return self.section_en if _en() else self.section_zh


class InspectionInterval(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class InspectionSchedule(models.Model):
    """A recurring inspection of a unit by a regulator; the periodic job creates each occurrence."""

    regulator = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="checklist_schedules",
                                  verbose_name=_("regulator"))
    unit = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="checklist_schedules_of",
                             verbose_name=_("unit"))
    template_code = models.SlugField(_("template"), max_length=60)
    interval = models.CharField(_("interval"), max_length=10, choices=InspectionInterval.choices)
    start_date = models.DateField(_("first due date"))
    end_date = models.DateField(_("last due date"), null=True, blank=True)
    announced = models.BooleanField(_("announced to the unit"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection schedule")
        verbose_name_plural = _("inspection schedules")
        ordering = ["-created_at"]


class InspectionStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class Inspection(models.Model):
    """One inspection of a unit, due by a date. Unannounced ones are hidden from the unit until done."""

    schedule = models.ForeignKey(InspectionSchedule, models.CASCADE, null=True, blank=True,
                                 related_name="occurrences", verbose_name=_("schedule"))
    regulator = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="checklist_inspections",
                                  verbose_name=_("regulator"))
    unit = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="checklist_inspections_of",
                             verbose_name=_("unit"))
    template = models.ForeignKey(ChecklistTemplate, models.PROTECT, related_name="inspections",
                                 verbose_name=_("template"))
    due_date = models.DateField(_("due date"), db_index=True)
    announced = models.BooleanField(_("announced to the unit"), default=True)
    status = models.CharField(_("status"), max_length=8, choices=InspectionStatus.choices, default=InspectionStatus.DUE,
                              db_index=True)
    is_late = models.BooleanField(_("done late"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("marked missed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["due_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "due_date"], name="checklists_one_per_due_date")]


def new_token() -> str:
    return secrets.token_urlsafe(18)


class RunStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class ChecklistRun(models.Model):
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_token)
    template = models.ForeignKey(ChecklistTemplate, models.PROTECT, related_name="runs", verbose_name=_("template"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="checklist_runs", verbose_name=_("user"))
    unit = models.ForeignKey("accounts.Organization", models.CASCADE, null=True, blank=True,
                             related_name="checklist_runs", verbose_name=_("credited unit"))
    inspection = models.OneToOneField(Inspection, models.SET_NULL, null=True, blank=True, related_name="run",
                                      verbose_name=_("inspection"))
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.IN_PROGRESS,
                              db_index=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("checklist run")
        verbose_name_plural = _("checklist runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.template} #{self.pk}"


def answer_photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "jpg"
    return f"checklists/{instance.run_id}/{secrets.token_hex(8)}.{ext}"


class ChecklistAnswer(models.Model):
    run = models.ForeignKey(ChecklistRun, models.CASCADE, related_name="answers", verbose_name=_("run"))
    item = models.ForeignKey(ChecklistItem, models.PROTECT, related_name="answers", verbose_name=_("item"))
    answer = models.CharField(_("answer"), max_length=3, choices=Answer.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to=answer_photo_path, blank=True, max_length=200)
    photo_content_type = models.CharField(max_length=40, blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)
    report = models.ForeignKey("reports.Report", models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("hazard report"))
    case_reference = models.CharField(_("case reference"), max_length=24, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["run", "item__position"]
        constraints = [models.UniqueConstraint(fields=["run", "item"], name="checklists_one_answer_per_item")]

    @property
    def is_failed(self) -> bool:
        return self.answer == self.item.hazard_answer
