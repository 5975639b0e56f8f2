from django import forms
from django.utils.translation import gettext_lazy as _

PARTNER = "partner"


class KeyIssueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the key is for, e.g. the system that will use it."))
    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int)
    acts_as = forms.ChoiceField(label=_("Acts as"), required=False,
                                choices=[("me", _("Me, within this organization")),
                                         (PARTNER, _("A partner system (no user; Open311 posting and public "
                                                     "endpoints only)"))])

    def __init__(self, *args, organizations=(), allow_partner=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.display_name) for o in organizations]
        if not allow_partner:
            del self.fields["acts_as"]


class KeyFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All")), ("active", _("Active")), ("revoked", _("Revoked"))])
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
