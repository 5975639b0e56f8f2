from django import forms
from django.utils.translation import gettext_lazy as _


class ContestForm(forms.Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    tags = forms.CharField(label=_("Question tags"), max_length=300, required=False,
                           help_text=_("Separated by commas, e.g. fire, gas. Empty: the whole bank."))
    question_count = forms.IntegerField(label=_("Questions per attempt"), min_value=1, max_value=50, initial=10)
    time_limit_seconds = forms.IntegerField(label=_("Time limit (seconds)"), min_value=10, max_value=7200,
                                            initial=300)
    points_per_correct = forms.IntegerField(label=_("Points per correct answer"), min_value=1, max_value=1000,
                                            initial=10)

    def clean_tags(self):
        import re

        return [t.strip() for t in re.split(r"[,，;；\s]+", self.cleaned_data["tags"]) if t.strip()]
