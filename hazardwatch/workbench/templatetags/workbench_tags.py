"""Labels for stored codes (statuses, actions, sectors, categories) in workbench templates."""
from django import template
from django.utils.translation import gettext_lazy as _

from hazardwatch.cases.choices import CaseAction, CaseGrade, CaseStatus
from hazardwatch.core.choices import Sector
from hazardwatch.reports.choices import PlaceType, ReportCategory

register = template.Library()

_EXTRA_ACTIONS = {"open": _("Case opened")}


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value or ""


@register.filter
def status_label(value):
    return _label(CaseStatus, value)


@register.filter
def action_label(value):
    if value in _EXTRA_ACTIONS:
        return _EXTRA_ACTIONS[value]
    return _label(CaseAction, value)


@register.filter
def grade_label(value):
    return _label(CaseGrade, value)


@register.filter
def sector_label(value):
    return _label(Sector, value)


@register.filter
def category_label(value):
    return _label(ReportCategory, value)


@register.filter
def place_type_label(value):
    return _label(PlaceType, value)


@register.filter
def negate(value):
    try:
        return -int(value)
    except (TypeError, ValueError):
        return value


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current queue URL with another page number (filters kept)."""
    qs = context.get("querystring") or ""
    return f"?{qs}&page={number}" if qs else f"?page={number}"
