"""Reward rules per jurisdiction, assessments of verified cases, claims by receipt, and the payment ledger.

Money is stored as integer fen (1 yuan = 100 fen), never as float.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CapPeriod(models.TextChoices):
    YEAR = "year", _("Calendar year")
    MONTH = "month", _("Calendar month")


class RewardKind(models.TextChoices):
    MAJOR = "major", _("Major hazard or illegal activity (share of the fine)")
    GENERAL = "general", _("General hazard (fixed tier)")


class AssessmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXCLUDED = "excluded", _("Not eligible")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Claim window passed")


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank account")
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")


class RewardRule(models.Model):
    """The reward rule of one jurisdiction: national when `region` is empty, else a region's override.

    The rule of the deepest region containing the case's region applies (then the national row, then the
    defaults shipped in `rewards/data/national.yaml`). `general_tiers` is a list of
    {"code", "label_zh", "label_en", "amount_fen", "categories": [...], "clause"}; a tier with no categories
    applies to any category. Caps count approved rewards per person (keyed hash of the ID number) per period.
    """

    region = models.OneToOneField("places.Division", models.CASCADE, null=True, blank=True, related_name="reward_rule",
                                  verbose_name=_("region"), help_text=_("Empty for the national rule."))
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source document"), max_length=300, blank=True)
    major_percent = models.DecimalField(_("share of the fine (%)"), max_digits=5, decimal_places=2, default=15)
    major_min_fen = models.PositiveBigIntegerField(_("minimum for major hazards (fen)"), default=300_000)
    major_max_fen = models.PositiveBigIntegerField(_("maximum for major hazards (fen)"), default=30_000_000)
    major_clause = models.CharField(_("clause for major hazards"), max_length=200, blank=True)
    general_tiers = models.JSONField(_("tiers for general hazards"), default=list, blank=True)
    cap_period = models.CharField(_("cap period"), max_length=8, choices=CapPeriod.choices, default=CapPeriod.YEAR)
    cap_amount_fen = models.PositiveBigIntegerField(_("cap per person per period (fen)"), null=True, blank=True)
    cap_count = models.PositiveIntegerField(_("rewards per person per period"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reward rule")
        verbose_name_plural = _("reward rules")
        constraints = [
            models.UniqueConstraint(fields=["region"], condition=models.Q(region__isnull=True),
                                    name="rewards_rewardrule_one_national"),
            models.CheckConstraint(condition=models.Q(major_min_fen__lte=models.F("major_max_fen")),
                                   name="rewards_rewardrule_min_le_max"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from hazardwatch.rewards.rules import RuleError, validate_tiers

        try:
            validate_tiers(self.general_tiers)
        except RuleError as exc:
            from django.core.exceptions import ValidationError

            raise ValidationError({"general_tiers": str(exc)}) from None


class RewardAssessment(models.Model):
    """The reward proposed for the first valid report of a verified case, and its review.

    Changed only by `rewards.services`. `rule_snapshot` keeps the rule as applied, so later rule edits do
    not change what was decided. One assessment per case.
    """

    case = models.OneToOneField("cases.Case", models.CASCADE, related_name="reward", verbose_name=_("case"))
    report = models.ForeignKey("reports.Report", models.CASCADE, related_name="rewards",
                               verbose_name=_("first valid report"))
    kind = models.CharField(_("kind"), max_length=8, choices=RewardKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.PROPOSED, db_index=True)
    rule = models.ForeignKey(RewardRule, models.SET_NULL, null=True, blank=True, related_name="assessments",
                             verbose_name=_("rule"))
    rule_name = models.CharField(_("rule"), max_length=200)
    clause = models.CharField(_("clause cited"), max_length=300, blank=True)
    rule_snapshot = models.JSONField(_("rule as applied"), default=dict)
    tier_code = models.CharField(_("tier"), max_length=40, blank=True)
    fine_fen = models.PositiveBigIntegerField(_("fine (fen)"), null=True, blank=True)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), null=True, blank=True)
    min_fen = models.PositiveBigIntegerField(_("lowest allowed amount (fen)"), default=0)
    max_fen = models.PositiveBigIntegerField(_("highest allowed amount (fen)"), default=0)
    exclusion_reason = models.TextField(_("why not eligible"), blank=True)
    note = models.TextField(_("note"), blank=True)
    proposed_at = models.DateTimeField(_("proposed at"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("proposed by"))
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("last edited by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    claim_deadline = models.DateTimeField(_("claim by"), null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reward assessment")
        verbose_name_plural = _("reward assessments")
        ordering = ["-proposed_at", "-id"]

    def __str__(self):
        return f"{self.case.reference} · {self.get_status_display()}"

    @property
    def proposers(self) -> set:
        return {u for u in (self.proposed_by_id, self.edited_by_id) if u is not None}


class RewardClaim(models.Model):
    """A reporter's claim: identity and payment details encrypted (Fernet), the ID number also as a keyed hash.

    Read only through `rewards.services.claim_reveal`, which audits every read. `payable_fen` is the
    amount after the per-person cap.
    """

    assessment = models.OneToOneField(RewardAssessment, models.CASCADE, related_name="claim",
                                      verbose_name=_("assessment"))
    ciphertext = models.TextField(_("encrypted identity and payment details"))
    id_hash = models.CharField(_("ID number hash"), max_length=64, db_index=True)
    payment_method = models.CharField(_("payment method"), max_length=8, choices=PaymentMethod.choices)
    payable_fen = models.PositiveBigIntegerField(_("payable amount (fen)"), null=True, blank=True)
    created_at = models.DateTimeField(_("claimed at"))

    class Meta:
        verbose_name = _("reward claim")
        verbose_name_plural = _("reward claims")


class LedgerAppendOnly(Exception):
    pass


class LedgerEntry(models.Model):
    """One payment, append-only: no updates or deletes (refused here, and by a trigger on PostgreSQL).

    `assessment_id` is kept without a database constraint, so the ledger outlives deleted cases (demo reset).
    """

    assessment = models.ForeignKey(RewardAssessment, models.DO_NOTHING, db_constraint=False, related_name="+",
                                   verbose_name=_("assessment"))
    case_reference = models.CharField(_("case"), max_length=24)
    region_path = models.CharField(_("region path"), max_length=200, blank=True, db_index=True)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    payment_method = models.CharField(_("payment method"), max_length=8, choices=PaymentMethod.choices)
    payment_reference = models.CharField(_("payment reference"), max_length=100)
    id_hash = models.CharField(_("payee ID hash"), max_length=64, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), db_index=True)
    paid_by_id = models.BigIntegerField(_("paid by (user id)"), null=True, blank=True)
    paid_by_label = models.CharField(_("paid by"), max_length=150)
    audit_entry_id = models.BigIntegerField(_("audit entry"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment"], name="rewards_ledgerentry_one_payment"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise LedgerAppendOnly("ledger entries cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerAppendOnly("ledger entries cannot be deleted")


class RewardReminder(models.Model):
    """A claim reminder sent (one row per assessment and days-before, so a re-run sends nothing twice)."""

    assessment = models.ForeignKey(RewardAssessment, models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    channels = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("claim reminder")
        verbose_name_plural = _("claim reminders")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "days_before"], name="rewards_rewardreminder_once"),
        ]
