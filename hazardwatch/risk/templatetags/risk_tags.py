"""Labels for risk codes in templates."""
from django import template

from hazardwatch.core.choices import choice_label as _label
from hazardwatch.risk.choices import AccidentType, HazardFactorCategory, RiskLevel, RiskMethod

register = template.Library()


@register.filter
def level_label(value):
    return _label(RiskLevel, value)


@register.filter
def factor_label(value):
    return _label(HazardFactorCategory, value)


@register.filter
def accident_labels(values):
    return "、".join(str(_label(AccidentType, v)) for v in values or [])


def _n(v):
    return "" if v is None else f"{v.normalize():f}"


@register.filter
def scores(point):
    """"LEC 3×6×15 = 270" or "LS 4×5 = 20"."""
    if point.method == RiskMethod.LS:
        return f"LS {_n(point.score_l)}×{_n(point.score_s)} = {_n(point.value)}"
    return f"LEC {_n(point.score_l)}×{_n(point.score_e)}×{_n(point.score_c)} = {_n(point.value)}"
