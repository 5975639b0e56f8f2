"""Question bank, takers, daily quizzes, contests, attempts and answers.

Points are credited to the region and unit *snapshotted on the attempt* when it starts, so a taker who
moves later does not move their old points. Answers are unique per (attempt, question): that constraint is
what makes the batched persistence from the Redis stream idempotent.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.choices import Sector


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


def _pick(zh: str, en: str) -> str:
    if (get_language() or "").startswith("en") and en:
        return en
    return zh or en


class Question(models.Model):
    """One question. `options` is a list of {"key", "zh", "en"}; `answer` the list of correct keys."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text_zh = models.TextField(_("question (Chinese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    options = models.JSONField(_("options"), default=list)
    answer = models.JSONField(_("correct option keys"), default=list)
    explanation_zh = models.TextField(_("explanation (Chinese)"), blank=True)
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["code"]

    def __str__(self):
        return self.code

    @property
    def text(self) -> str:
        return _pick(self.text_zh, self.text_en)

    @property
    def explanation(self) -> str:
        return _pick(self.explanation_zh, self.explanation_en)

    def option_text(self, key: str) -> str:
        for o in self.options:
            if o["key"] == key:
                return _pick(o.get("zh", ""), o.get("en", ""))
        return key


class TakerProfile(models.Model):
    """Who takes quizzes: a signed-in user (credited to their unit) or a member of the public identified by a
    signed cookie holding `token`. No personal data: a region and optionally a unit (school, enterprise)."""

    token = models.CharField(_("token"), max_length=32, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                                related_name="quiz_profile", verbose_name=_("user"))
    region = models.ForeignKey("places.Division", models.PROTECT, related_name="+", verbose_name=_("region"))
    unit = models.ForeignKey("accounts.Organization", models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("unit or school"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz taker")
        verbose_name_plural = _("quiz takers")

    def __str__(self):
        return f"taker {self.pk}"


class Contest(models.Model):
    """A knowledge contest open between `starts_at` and `ends_at`; questions drawn from `tags` (any tag)."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("opens"))
    ends_at = models.DateTimeField(_("closes"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    question_count = models.PositiveSmallIntegerField(_("questions per attempt"), default=10)
    time_limit_seconds = models.PositiveIntegerField(_("time limit (seconds)"), default=300)
    points_per_correct = models.PositiveSmallIntegerField(_("points per correct answer"), default=10)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz contest")
        verbose_name_plural = _("quiz contests")
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="%(app_label)s_%(class)s_ends_after_start")]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return _pick(self.title_zh, self.title_en)


class Attempt(models.Model):
    """One sitting: the daily quiz (contest empty, one per taker per day) or a contest (one per taker).

    `questions` is the ordered list of question ids, `option_orders` maps str(question id) to the shuffled
    option keys shown. `score`, `correct_count` and `answered_count` are recomputed from the answers."""

    token = models.CharField(_("token"), max_length=32, unique=True)
    taker = models.ForeignKey(TakerProfile, models.CASCADE, related_name="attempts", verbose_name=_("taker"))
    contest = models.ForeignKey(Contest, models.CASCADE, null=True, blank=True, related_name="attempts",
                                verbose_name=_("contest"))
    day = models.DateField(_("day"), db_index=True)
    region = models.ForeignKey("places.Division", models.PROTECT, related_name="+", verbose_name=_("region"))
    unit = models.ForeignKey("accounts.Organization", models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("unit"))
    questions = models.JSONField(_("questions"), default=list)
    option_orders = models.JSONField(_("option orders"), default=dict)
    points_per_correct = models.PositiveSmallIntegerField(_("points per correct answer"), default=10)
    started_at = models.DateTimeField(_("started"))
    deadline_at = models.DateTimeField(_("deadline"))
    score = models.IntegerField(_("points"), default=0)
    correct_count = models.PositiveSmallIntegerField(_("correct answers"), default=0)
    answered_count = models.PositiveSmallIntegerField(_("answers"), default=0)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        indexes = [models.Index(fields=["unit", "day"], name="quizzes_attempt_unit_day")]
        constraints = [
            models.UniqueConstraint(fields=["taker", "day"], condition=models.Q(contest__isnull=True),
                                    name="%(app_label)s_%(class)s_one_daily_per_day"),
            models.UniqueConstraint(fields=["taker", "contest"], condition=models.Q(contest__isnull=False),
                                    name="%(app_label)s_%(class)s_one_per_contest"),
        ]

    def __str__(self):
        return f"attempt {self.pk}"


class Answer(models.Model):
    """An answer as acknowledged to the taker; `answered_at` is the server time of acknowledgement."""

    attempt = models.ForeignKey(Attempt, models.CASCADE, related_name="answers", verbose_name=_("attempt"))
    question = models.ForeignKey(Question, models.PROTECT, related_name="+", verbose_name=_("question"))
    choice = models.JSONField(_("choice"), default=list)
    correct = models.BooleanField(_("correct"), default=False)
    points = models.IntegerField(_("points"), default=0)
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "question"],
                                               name="%(app_label)s_%(class)s_once_per_question")]
