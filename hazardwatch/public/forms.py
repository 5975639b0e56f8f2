"""Public forms: they render the fields and carry the posted values back on errors.

Validation of a report is done once, by `reports.services.report_submit`; these forms stay permissive
so that every problem comes back from the service together and is shown next to its field.
"""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hazardwatch.reports.choices import PlaceType, ReportCategory

# Service error keys (ApplicationError.extra["fields"]) → the form field that shows them.
REPORT_ERROR_FIELDS = {
    "description": "description",
    "category": "category",
    "place_type": "place_type",
    "address": "address",
    "location": "latitude",
    "crs": "latitude",
    "contact.name": "contact_name",
    "contact.phone": "contact_phone",
    "contact.email": "contact_email",
    "contact": "is_employee",
    "photos": "photos",
    "follow_reference": None,
}

RECEIPT_REQUIRED = _("Enter the receipt code you were given when you reported.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.Field):
    """Renders the multi-file input; the files themselves are checked by the report service."""

    widget = MultipleFileInput

    def clean(self, value):
        return value


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the hazard?"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "required": True, "autocomplete": "off"}),
        help_text=_("What you saw, where exactly, since when, and who is at risk."),
    )
    category = forms.CharField(
        label=_("Kind of hazard"),
        required=False,
        widget=forms.Select(choices=[("", _("Choose the kind of hazard…")), *ReportCategory.choices]),
        help_text=_("If none fits, choose “Other”."),
    )
    place_type = forms.CharField(
        label=_("Kind of place"),
        required=False,
        widget=forms.Select(choices=[("", _("Not sure / not given")), *PlaceType.choices]),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300, "autocomplete": "street-address"}),
        help_text=_("For example: building, floor, shop name, nearest crossroads."),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-role": "lat"}))
    longitude = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-role": "lon"}))
    crs = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-role": "crs"}))
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    contact_name = forms.CharField(
        label=_("Your name"), required=False,
        widget=forms.TextInput(attrs={"maxlength": 50, "autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Your phone"), required=False,
        widget=forms.TextInput(attrs={"type": "tel", "maxlength": 20, "autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_email = forms.CharField(
        label=_("Your email"), required=False,
        widget=forms.TextInput(attrs={"type": "email", "maxlength": 254, "autocomplete": "email",
                                      "inputmode": "email"}),
    )
    # Chosen among the likely duplicates shown while writing: follow that case instead of opening one.
    follow_reference = forms.CharField(required=False, max_length=24,
                                       widget=forms.HiddenInput(attrs={"data-role": "follow"}))
    # Honeypot: hidden from people (CSS and aria-hidden), filled only by form-filling robots.
    homepage = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    is_employee = forms.BooleanField(
        label=_("I work at this unit (employee report)"),
        required=False,
        help_text=_("Employee reports need your name and phone. They are kept confidential and "
                    "protected by law against retaliation."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["maxlength"] = settings.HAZARDWATCH_DESCRIPTION_MAX
        self.fields["photos"].help_text = _(
            "Up to %(limit)s photos (JPEG, PNG or WebP). Photos help the department find and judge the hazard."
        ) % {"limit": settings.HAZARDWATCH_MAX_PHOTOS}

    def add_service_errors(self, fields: dict) -> None:
        """Attach the report service's per-field messages to the matching form fields."""
        for key, messages in (fields or {}).items():
            target = REPORT_ERROR_FIELDS.get(key)
            for message in messages if isinstance(messages, (list, tuple)) else [messages]:
                self.add_error(target, str(message))


class ReceiptForm(forms.Form):
    receipt_code = forms.CharField(
        label=_("Receipt code"),
        error_messages={"required": RECEIPT_REQUIRED},
        widget=forms.TextInput(attrs={
            "class": "code-input", "placeholder": "XXXX-XXXX-XXXX-XXXX", "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false", "maxlength": 64,
        }),
    )


class DisputeForm(forms.Form):
    receipt_code = forms.CharField(widget=forms.HiddenInput, error_messages={"required": RECEIPT_REQUIRED})
    reason = forms.CharField(
        label=_("What is still wrong?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000, "required": True}),
        help_text=_("Describe what you saw after the case was closed. The department will look at the case again."),
    )


class FeedbackForm(forms.Form):
    """After closure: was it fixed? (yes/no, optional comment and one photo)."""

    receipt_code = forms.CharField(widget=forms.HiddenInput, error_messages={"required": RECEIPT_REQUIRED})
    fixed = forms.ChoiceField(label=_("Was the hazard fixed?"), required=False,
                              choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is still there"))],
                              widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("What did you see?"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text=_("If it is not fixed, say what is still wrong. The department will look at the case again."),
    )
    # Empty files pass here so that the photo check says why (this form's own errors are not shown).
    photo = forms.FileField(label=_("Photo"), required=False, allow_empty_file=True,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def clean(self):
        return self.cleaned_data  # the service validates the answer and the photo


class CriteriaSearchForm(forms.Form):
    """The public criteria browser's search: words and an optional sector."""

    q = forms.CharField(label=_("Search the items"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("e.g. sprinkler, 喷淋, 6.6")}))
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hazardwatch.core.choices import Sector

        self.fields["sector"].choices = [("", _("All sectors")), *Sector.choices]
