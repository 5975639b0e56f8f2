"""Labels for stored codes (statuses, actions, sectors, categories) in workbench templates."""
from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hazardwatch.cases.choices import CaseAction, CaseGrade, CaseStatus
from hazardwatch.core.choices import Sector
from hazardwatch.core.choices import choice_label as _label
from hazardwatch.reports.choices import PlaceType, ReportCategory

register = template.Library()

_EXTRA_ACTIONS = {"open": _("Case opened"), "follow": _("A reporter chose to follow this case")}


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


# Reasons stored with a criteria match look like "missing:喷淋(没有)", "term:ktv", "threshold:15人>9".
# prefix → (label, tone): "for" supports the item, "against" weakens it.
_REASONS = {
    "missing": (_("Missing"), "for"),
    "term": (_("Found"), "for"),
    "synonym": (_("Found (synonym)"), "for"),
    "threshold": (_("Threshold met"), "for"),
    "place_type": (_("Place type"), "for"),
    "keywords": (_("Keywords"), "for"),
    "resolved": (_("Said to be fixed"), "against"),
    "below-threshold": (_("Threshold not met"), "against"),
    "negated": (_("Negated"), "against"),
    "present-not-missing": (_("Mentioned, not said to be missing"), "against"),
    "other-sector": (_("Item of another sector"), "against"),
}


@register.filter
def reason_chip(reason) -> dict:
    """A friendly label, value and tone for one stored match reason (unknown prefixes shown as they are)."""
    raw = str(reason or "")
    prefix, sep, value = raw.partition(":")
    if not sep or prefix not in _REASONS:
        return {"kind": "other", "label": "", "value": raw, "tone": "neutral", "raw": raw}
    label, tone = _REASONS[prefix]
    if prefix == "place_type":
        value = _label(PlaceType, value)
    elif prefix == "keywords":
        try:
            n = int(value)
        except ValueError:
            pass
        else:
            label, value = ngettext("%(n)d keyword", "%(n)d keywords", n) % {"n": n}, ""
    elif prefix == "below-threshold":
        value = value.removesuffix(" not met")
    return {"kind": prefix, "label": label, "value": value, "tone": tone, "raw": raw}


@register.filter
def percent(value) -> int:
    """A 0–1 score as a whole percentage, clamped to 0–100."""
    try:
        return max(0, min(100, round(float(value) * 100)))
    except (TypeError, ValueError):
        return 0


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


@register.simple_tag
def staff_areas_for(user):
    """{area key: may use} for the navigation (hazardwatch.accounts.landing.STAFF_AREAS)."""
    from hazardwatch.accounts.landing import staff_areas

    if user is None or not user.is_authenticated:
        return {}
    return staff_areas(user)
