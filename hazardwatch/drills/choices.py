"""Drill kinds and states."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class DrillKind(models.TextChoices):
    HAZARD_IDENTIFICATION = "hazard_identification", _("Hazard identification")
    EMERGENCY_RESPONSE = "emergency_response", _("Emergency response")
    EVACUATION = "evacuation", _("Evacuation")
    TABLETOP = "tabletop", _("Tabletop exercise (digital deduction)")
    OTHER = "other", _("Other")


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    RECORDED = "recorded", _("Recorded")
    CANCELLED = "cancelled", _("Cancelled")


class DrillAction(models.TextChoices):
    START = "start", _("Start")
    RECORD = "record", _("Record")
    CANCEL = "cancel", _("Cancel")
