"""Exposure vocabularies: publication states, actions, photo kinds."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.cases.choices import CaseStatus

# Cases never proposed, never shown: not yet accepted, rejected, or merged into another case.
HIDDEN_CASE_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.REJECTED, CaseStatus.MERGED})


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Being redacted")
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
    PUBLISHED = "published", _("Published")
    TAKEN_DOWN = "taken_down", _("Taken down")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PublicationAction(models.TextChoices):
    PROPOSE = "propose", _("Propose for exposure")
    REDACT = "redact", _("Save redaction")
    SUBMIT = "submit", _("Submit for sign-off")
    RETURN = "return", _("Return for more redaction")
    SIGN_OFF = "sign_off", _("Sign off and publish")
    TAKE_DOWN = "take_down", _("Take down")
    REVISE = "revise", _("Revise for republication")
    WITHDRAW = "withdraw", _("Withdraw the proposal")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before (reported)")
    AFTER = "after", _("After (rectification evidence)")


class PhotoSource(models.TextChoices):
    REPORT = "report", _("Report photo")
    EVIDENCE = "evidence", _("Evidence photo")
