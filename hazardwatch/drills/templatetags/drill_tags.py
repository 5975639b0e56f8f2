from django import template

from hazardwatch.core.choices import choice_label
from hazardwatch.drills.choices import DrillKind, DrillStatus

register = template.Library()


@register.filter
def get(mapping, key):
    """mapping[key] or "" (for error and value dicts keyed by field name)."""
    if not mapping:
        return ""
    try:
        value = mapping.get(key, "")
    except AttributeError:
        return ""
    return "" if value is None else value


@register.filter
def kind_label(value):
    return choice_label(DrillKind, value)


@register.filter
def status_label(value):
    return choice_label(DrillStatus, value)


@register.simple_tag
def selected(current, value):
    return "selected" if str(current) == str(value) else ""
