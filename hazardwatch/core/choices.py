"""Vocabularies shared by every app."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    """The fixed sector vocabulary used everywhere (routing, criteria, statistics)."""

    FIRE = "fire", _("Fire safety")
    INDUSTRY_TRADE = "industry_trade", _("Industry and trade")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("Hazardous chemicals")
    FIREWORKS = "fireworks", _("Fireworks")
    MINING = "mining", _("Mining")
    CONSTRUCTION = "construction", _("Construction")
    GAS = "gas", _("Gas")
    ROAD_TRANSPORT = "road_transport", _("Road transport")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")
    ELECTRICAL = "electrical", _("Electrical")
    HOUSEHOLD_COMMUNITY = "household_community", _("Household and community")
    OTHER = "other", _("Other")


SECTOR_VALUES = frozenset(Sector.values)


def choice_label(choices, value):
    """The translated label of a stored code, or the code itself when it is not (or no longer) a choice."""
    try:
        return choices(value).label
    except ValueError:
        return value or ""
