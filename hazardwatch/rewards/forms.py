"""Forms of the public claim page (the service does the real checks and returns per-field messages)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from hazardwatch.rewards.models import PaymentMethod

RECEIPT_REQUIRED = _("Enter the receipt code you were given when you reported.")


class ClaimLookupForm(forms.Form):
    receipt_code = forms.CharField(
        label=_("Receipt code"), max_length=64, error_messages={"required": RECEIPT_REQUIRED},
        widget=forms.TextInput(attrs={"class": "code-input", "placeholder": "XXXX-XXXX-XXXX-XXXX",
                                      "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class ClaimForm(forms.Form):
    receipt_code = forms.CharField(widget=forms.HiddenInput, max_length=64,
                                   error_messages={"required": RECEIPT_REQUIRED})
    name = forms.CharField(label=_("Name (as on your ID card)"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=_("Resident ID number"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text",
                                                              "autocapitalize": "characters", "spellcheck": "false"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices, required=False,
                                       widget=forms.RadioSelect)
    account = forms.CharField(label=_("Account (bank card number, or Alipay / WeChat account)"), max_length=80,
                              required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    bank_name = forms.CharField(label=_("Bank (for bank accounts)"), max_length=80, required=False)
    declaration = forms.BooleanField(
        label=_("I am not staff with supervisory duties over this matter, nor their close relative."), required=False)

    def add_service_errors(self, fields: dict) -> None:
        for key, messages in (fields or {}).items():
            target = key if key in self.fields else None
            for message in messages if isinstance(messages, (list, tuple)) else [messages]:
                self.add_error(target, str(message))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EditForm(forms.Form):
    fine_yuan = forms.CharField(label=_("Administrative fine (yuan)"), required=False, max_length=20)
    amount_yuan = forms.CharField(label=_("Reward amount (yuan)"), required=False, max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)
