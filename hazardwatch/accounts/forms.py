"""Sign-in forms: password (with the lockout message) and the two-factor code."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.lockout import lockout_message


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's form, but a locked username or client gets the lockout message instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            seconds = getattr(self.request, "login_locked_seconds", 0)
            if seconds:
                raise ValidationError(lockout_message(seconds), code="locked") from None
            raise

    @property
    def locked(self) -> bool:
        return bool(getattr(self.request, "login_locked_seconds", 0))


class TOTPCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
