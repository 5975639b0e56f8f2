"""Template helpers for showing catalogue items (public criteria pages and the staff case page)."""
import re

from django import template
from django.utils import translation

from hazardwatch.core.choices import Sector
from hazardwatch.core.choices import choice_label as _label
from hazardwatch.reports.choices import PlaceType

register = template.Library()


@register.filter
def item_anchor(code) -> str:
    """The fragment id of an item on its edition page: "item-<code>" (whitespace made into dashes)."""
    return "item-" + re.sub(r"\s+", "-", str(code or "").strip())


@register.filter
def localized(obj, field: str) -> str:
    """`<field>_en` in English, `<field>_zh` otherwise; the other language when that one is empty."""
    en = (translation.get_language() or "").startswith("en")
    first, second = ("en", "zh") if en else ("zh", "en")
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "") or ""


@register.filter
def criteria_sector(value):
    return _label(Sector, value)


@register.filter
def criteria_place(value):
    return _label(PlaceType, value)
