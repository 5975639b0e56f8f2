"""Risk vocabularies: methods, levels and colours, control levels, GB/T 13861 factor categories, GB 6441 types."""
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskMethod(models.TextChoices):
    LEC = "lec", _("LEC (D = L × E × C)")
    LS = "ls", _("Risk matrix (R = L × S)")


class RiskLevel(models.TextChoices):
    MAJOR = "major", _("Major risk (red)")
    HIGH = "high", _("Higher risk (orange)")
    GENERAL = "general", _("General risk (yellow)")
    LOW = "low", _("Low risk (blue)")


LEVEL_COLOUR = {RiskLevel.MAJOR: "red", RiskLevel.HIGH: "orange", RiskLevel.GENERAL: "yellow", RiskLevel.LOW: "blue"}
# Higher rank = more serious; "highest level" of a zone or enterprise is the max rank.
LEVEL_RANK = {RiskLevel.LOW: 1, RiskLevel.GENERAL: 2, RiskLevel.HIGH: 3, RiskLevel.MAJOR: 4}
LEVELS_BY_RANK = sorted(LEVEL_RANK, key=LEVEL_RANK.get, reverse=True)


class ControlLevel(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department or workshop")
    TEAM = "team", _("Team")
    POST = "post", _("Post")


class HazardFactorCategory(models.TextChoices):
    """GB/T 13861-2022 top-level categories."""

    PEOPLE = "people", _("People")
    THINGS = "things", _("Things (equipment, materials)")
    ENVIRONMENT = "environment", _("Environment")
    MANAGEMENT = "management", _("Management")


class AccidentType(models.TextChoices):
    """GB 6441-1986 accident categories (20 types)."""

    OBJECT_STRIKE = "object_strike", _("Struck by object")
    VEHICLE = "vehicle", _("Vehicle injury")
    MACHINERY = "machinery", _("Machinery injury")
    LIFTING = "lifting", _("Lifting injury")
    ELECTRIC_SHOCK = "electric_shock", _("Electric shock")
    DROWNING = "drowning", _("Drowning")
    SCALD_BURN = "scald_burn", _("Scald or burn")
    FIRE = "fire", _("Fire")
    FALL_FROM_HEIGHT = "fall_from_height", _("Fall from height")
    COLLAPSE = "collapse", _("Collapse")
    ROOF_FALL = "roof_fall", _("Roof fall")
    WATER_INRUSH = "water_inrush", _("Water inrush")
    BLASTING = "blasting", _("Blasting injury")
    GUNPOWDER_EXPLOSION = "gunpowder_explosion", _("Gunpowder explosion")
    GAS_EXPLOSION = "gas_explosion", _("Gas explosion")
    BOILER_EXPLOSION = "boiler_explosion", _("Boiler explosion")
    VESSEL_EXPLOSION = "vessel_explosion", _("Pressure vessel explosion")
    OTHER_EXPLOSION = "other_explosion", _("Other explosion")
    POISONING = "poisoning", _("Poisoning and asphyxiation")
    OTHER_INJURY = "other_injury", _("Other injury")


# Allowed scores. LEC per Graham–Kinney; LS is a 5 × 5 matrix.
LEC_L = tuple(Decimal(x) for x in ("10", "6", "3", "1", "0.5", "0.2", "0.1"))
LEC_E = tuple(Decimal(x) for x in ("10", "6", "3", "2", "1", "0.5"))
LEC_C = tuple(Decimal(x) for x in ("100", "40", "15", "7", "3", "1"))
LS_SCALE = tuple(Decimal(x) for x in range(1, 6))

CONTROL_MEASURE_FIELDS = ("measures_engineering", "measures_management", "measures_training", "measures_ppe",
                          "measures_emergency")
