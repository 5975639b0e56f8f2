"""The risk point form (staff pages). The service does the real checking; errors come back per field."""
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardwatch.risk.choices import AccidentType, ControlLevel, HazardFactorCategory, RiskLevel, RiskMethod

LEC_L_CHOICES = [("", "—"), ("10", "10"), ("6", "6"), ("3", "3"), ("1", "1"), ("0.5", "0.5"), ("0.2", "0.2"),
                 ("0.1", "0.1")]
LEC_E_CHOICES = [("", "—"), ("10", "10"), ("6", "6"), ("3", "3"), ("2", "2"), ("1", "1"), ("0.5", "0.5")]
LEC_C_CHOICES = [("", "—"), ("100", "100"), ("40", "40"), ("15", "15"), ("7", "7"), ("3", "3"), ("1", "1")]
LS_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]
FACTOR_FIELDS = {c.value: f"factors_{c.value}" for c in HazardFactorCategory}
ZONE_MAX_CHARS = 60_000  # 500 vertices (geometry.MAX_VERTICES) at 7 decimals fit in about 15,000
LOCATION_HALF = _("Give both latitude and longitude, or neither.")


class RiskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All"))] + RiskLevel.choices)
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("All"))] + RiskMethod.choices)
    accident_type = forms.ChoiceField(label=_("Accident type"), required=False,
                                      choices=[("", _("All"))] + AccidentType.choices)
    control_level = forms.ChoiceField(label=_("Control level"), required=False,
                                      choices=[("", _("All"))] + ControlLevel.choices)
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


class RiskPointForm(forms.Form):
    name = forms.CharField(label=_("Risk point"), max_length=120)
    area = forms.CharField(label=_("Area or zone"), max_length=120, required=False)
    activity = forms.CharField(label=_("Activity, equipment or facility"), max_length=200, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=RiskMethod.choices)
    l = forms.ChoiceField(label=_("L (LEC: likelihood)"), choices=LEC_L_CHOICES, required=False)  # noqa: E741
    e = forms.ChoiceField(label=_("E (LEC: exposure)"), choices=LEC_E_CHOICES, required=False)
    c = forms.ChoiceField(label=_("C (LEC: consequence)"), choices=LEC_C_CHOICES, required=False)
    ls_l = forms.ChoiceField(label=_("L (matrix: likelihood)"), choices=LS_CHOICES, required=False)
    s = forms.ChoiceField(label=_("S (matrix: severity)"), choices=LS_CHOICES, required=False)
    factors_people = forms.CharField(label=_("Hazard factors: people"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}), help_text=_("One per line."))
    factors_things = forms.CharField(label=_("Hazard factors: things"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    factors_environment = forms.CharField(label=_("Hazard factors: environment"), required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    factors_management = forms.CharField(label=_("Hazard factors: management"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    accident_types = forms.MultipleChoiceField(label=_("Possible accident types (GB 6441)"), required=False,
                                               choices=AccidentType.choices, widget=forms.CheckboxSelectMultiple)
    control_level = forms.ChoiceField(label=_("Control level"), choices=ControlLevel.choices)
    measures_engineering = forms.CharField(label=_("Engineering measures"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    measures_management = forms.CharField(label=_("Management measures"), required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    measures_training = forms.CharField(label=_("Training and education"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    measures_ppe = forms.CharField(label=_("Personal protective equipment"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    measures_emergency = forms.CharField(label=_("Emergency measures"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=80)
    responsible_department = forms.CharField(label=_("Responsible department"), max_length=120, required=False)
    review_date = forms.DateField(label=_("Next review date"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    # The map drawing tool (frontend/src/risk_zone_draw.js) fills these three; typed or pasted by hand they are
    # the fallback ("Advanced" on the form). Either a zone or a location: with a zone, the location is a point
    # inside it; with neither, the organization's location.
    zone = forms.CharField(label=_("Zone polygon (GeoJSON)"), required=False, max_length=ZONE_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "risk-mono"}),
                           help_text=_("A GeoJSON Polygon in WGS-84 [longitude, latitude]; leave empty to use the "
                                       "location below or the organization's location."))
    lat = forms.FloatField(label=_("Latitude (WGS-84)"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any", "class": "risk-mono"}))
    lon = forms.FloatField(label=_("Longitude (WGS-84)"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any", "class": "risk-mono"}))

    # service field → form field, for showing service errors next to the right input
    ERROR_FIELDS = {"l": "l", "e": "e", "c": "c", "s": "s", "hazard_factors": "factors_people", "lat": "lat",
                    "lon": "lat", "organization_id": None, "region": None}

    def clean(self):
        d = super().clean()
        if (d.get("lat") is None) != (d.get("lon") is None) and not self.has_error("lat") \
                and not self.has_error("lon"):
            self.add_error("lat", LOCATION_HALF)
        return d

    def service_data(self) -> dict:
        d = self.cleaned_data
        data = {k: d.get(k) for k in ("name", "area", "activity", "method", "control_level", "measures_engineering",
                                      "measures_management", "measures_training", "measures_ppe",
                                      "measures_emergency", "responsible_person", "responsible_department",
                                      "review_date")}
        if d.get("method") == RiskMethod.LS:
            data.update(l=d.get("ls_l") or None, s=d.get("s") or None, e=None, c=None)
        else:
            data.update(l=d.get("l") or None, e=d.get("e") or None, c=d.get("c") or None, s=None)
        data["accident_types"] = list(d.get("accident_types") or [])
        data["hazard_factors"] = [
            {"category": cat, "description": line.strip()}
            for cat, field in FACTOR_FIELDS.items() for line in (d.get(field) or "").splitlines() if line.strip()
        ]
        zone_text = (d.get("zone") or "").strip()
        if zone_text:
            try:
                data["zone"] = json.loads(zone_text)
            except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
                data["zone"] = "not-json"
        else:
            data["zone"] = None
        data["lat"], data["lon"] = d.get("lat"), d.get("lon")
        return data

    def add_service_errors(self, fields: dict) -> None:
        for key, messages in fields.items():
            target = self.ERROR_FIELDS.get(key, key)
            if key == "l" and self.data.get("method") == RiskMethod.LS:
                target = "ls_l"
            if target not in self.fields:
                target = None
            for message in messages:
                self.add_error(target, message)

    @classmethod
    def initial_for(cls, point) -> dict:
        initial = {k: getattr(point, k) for k in (
            "name", "area", "activity", "method", "control_level", "measures_engineering", "measures_management",
            "measures_training", "measures_ppe", "measures_emergency", "responsible_person",
            "responsible_department", "review_date", "accident_types")}

        def fmt(v):
            return "" if v is None else f"{v.normalize():f}"

        if point.method == RiskMethod.LS:
            initial.update(ls_l=fmt(point.score_l), s=fmt(point.score_s))
        else:
            initial.update(l=fmt(point.score_l), e=fmt(point.score_e), c=fmt(point.score_c))
        for cat, field in FACTOR_FIELDS.items():
            initial[field] = "\n".join(f["description"] for f in point.hazard_factors if f.get("category") == cat)
        initial["zone"] = json.dumps(point.zone, ensure_ascii=False) if point.zone else ""
        if not point.zone and point.lat is not None:
            initial.update(lat=point.lat, lon=point.lon)
        return initial


class CaseLinkForm(forms.Form):
    """Link a hazard case to a risk point by its reference (e.g. HW20260000123)."""

    reference = forms.CharField(label=_("Case reference"), max_length=24,
                                help_text=_("For example HW20260000123."))

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()
