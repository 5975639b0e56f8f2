"""Forms of the staff workbench.

The queue filter is validated here. The action forms only render fields and keep what was typed:
`cases.services.case_transition` is the one place that validates an action, so every rule and message
comes from the service, whatever the client (workbench, API, jobs).
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from hazardwatch.accounts.models import Organization, OrganizationKind
from hazardwatch.cases.choices import CaseAction, CaseGrade, CaseStatus, RejectCode
from hazardwatch.core.choices import Sector
from hazardwatch.places.models import Division

# --- queue ------------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference or words")}))
    status = forms.ChoiceField(label=_("Status"), required=False)
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), ("open", _("Open (not closed)")),
                                         *CaseStatus.choices]
        self.fields["grade"].choices = [("", _("All grades")), *CaseGrade.choices, ("ungraded", _("Not graded yet"))]
        self.fields["sector"].choices = [("", _("All sectors")), *Sector.choices]
        self.fields["region"].choices = [("", _("All regions")), *regions]

    def filters(self) -> dict:
        """The valid filters only; a wrong value in one field does not drop the others."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        out = {k: v for k, v in cleaned.items() if v not in ("", None, False)}
        if out.get("overdue"):
            out["overdue"] = "1"
        return out


def region_choices(user) -> list[tuple[str, str]]:
    """Divisions the user can filter by: the subtree of each regulator area (all, for admins).

    Units (enterprises, schools, communities) see only their own cases and get no region list.
    """
    from hazardwatch.accounts.selectors import jurisdiction_for_user

    j = jurisdiction_for_user(user)
    qs = Division.objects.exclude(level="province")
    if not j.is_admin:
        paths = [path for path, _sectors in j.areas]
        if not paths:
            return []
        from django.db.models import Q

        q = Q(pk__in=[])
        for path in paths:
            q |= Q(path__startswith=path)
        qs = qs.filter(q)
    rows = list(qs.order_by("path").only("code", "name_zh", "name_en", "depth", "path")[:500])
    if not rows:
        return []
    top = min(d.depth for d in rows)
    return [(d.code, "\u2003" * (d.depth - top) + d.name) for d in rows]


# --- actions ------------------------------------------------------------------------------------------

def _area(rows=3, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


class ActionForm(forms.Form):
    """Base: a form for one action. `required` fields get the HTML attribute only (the service decides)."""

    action: str = ""
    danger = False
    help_text = ""

    def __init__(self, *args, case=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.case = case
        self.use_required_attribute = False

    @property
    def label(self):
        return CaseAction(self.action).label

    @property
    def multipart(self) -> bool:
        return self.is_multipart()


class AcceptForm(ActionForm):
    action = CaseAction.ACCEPT
    help_text = _("The report describes a real safety hazard in your jurisdiction.")
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=_area(2))


class RejectForm(ActionForm):
    action = CaseAction.REJECT
    danger = True
    help_text = _("Not a safety hazard, not in your jurisdiction, or not enough information.")
    reason = forms.CharField(label=_("Reason (shown to the reporter)"), required=False, max_length=2000,
                             widget=_area(3, required=True))
    reason_code = forms.ChoiceField(
        label=_("Reason code"), required=False, choices=[("", _("— choose —")), *RejectCode.choices],
        help_text=_("“Untrue” (false or malicious) counts against the reporter and the device."))


class MergeForm(ActionForm):
    action = CaseAction.MERGE
    help_text = _("The same hazard is already handled as another open case. The reports stay linked, keep their "
                  "receipts and follow that case; the merge can be undone.")
    target_case_id = forms.IntegerField(label=_("Case to merge into (number)"), required=False, min_value=1,
                                        widget=forms.NumberInput(attrs={"required": True, "list": "merge-candidates",
                                                                        "inputmode": "numeric"}))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=_area(2))


class UnmergeForm(ActionForm):
    action = CaseAction.UNMERGE
    help_text = _("The case gets back the status it had before the merge and is handled on its own again.")
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=_area(2))


class GradeForm(ActionForm):
    action = CaseAction.GRADE
    help_text = _("A major accident hazard must be confirmed by a regulator leader and must cite the standard "
                  "and the item of the determination criteria that it meets.")
    grade = forms.ChoiceField(label=_("Grade"), required=False,
                              choices=[("", _("Choose…")), *CaseGrade.choices],
                              widget=forms.Select(attrs={"required": True}))
    criterion_standard = forms.CharField(label=_("Criteria standard"), required=False, max_length=80,
                                         widget=forms.TextInput(attrs={"placeholder": _("e.g. the sector's "
                                                                                        "determination criteria")}))
    criterion_item = forms.CharField(label=_("Criteria item"), required=False, max_length=40,
                                     widget=forms.TextInput(attrs={"placeholder": _("e.g. item 3")}))
    note = forms.CharField(label=_("Determination note"), required=False, max_length=2000, widget=_area(2))


class AssignForm(ActionForm):
    action = CaseAction.ASSIGN
    help_text = _("The responsible unit rectifies the hazard by the deadline. Leave the deadline empty to use "
                  "the department's policy.")
    responsible_unit_id = forms.ChoiceField(label=_("Responsible unit"), required=False,
                                            widget=forms.Select(attrs={"required": True}))
    deadline = forms.DateField(label=_("Deadline (optional)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=_area(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Organization.objects.exclude(kind=OrganizationKind.REGULATOR).select_related("region")
        if self.case is not None and self.case.region_path:
            # Units in the case's county first, then the others.
            county = "/".join(self.case.region_path.strip("/").split("/")[:3]) + "/"
            local = [u for u in units if u.region.path.startswith(county)]
            others = [u for u in units if not u.region.path.startswith(county)]
        else:
            local, others = list(units), []
        choices = [("", _("Choose…"))]
        if local:
            choices.append((_("In this district"), [(str(u.pk), self._label(u)) for u in local]))
        if others:
            choices.append((_("Elsewhere"), [(str(u.pk), self._label(u)) for u in others]))
        self.fields["responsible_unit_id"].choices = choices
        if not self.is_bound and self.case is not None and self.case.responsible_unit_id:
            self.initial["responsible_unit_id"] = str(self.case.responsible_unit_id)

    @staticmethod
    def _label(org):
        return f"{org.display_name} · {org.get_kind_display()}"


class PlanForm(ActionForm):
    action = CaseAction.PLAN
    help_text = _("The five implementations for a major hazard: responsibility, measures, funds, time limit and "
                  "contingency plan.")
    responsibility = forms.CharField(label=_("Responsibility (people in charge)"), required=False, max_length=2000,
                                     widget=_area(2, required=True))
    measures = forms.CharField(label=_("Rectification measures"), required=False, max_length=2000,
                               widget=_area(3, required=True))
    funds = forms.CharField(label=_("Funds and materials"), required=False, max_length=2000,
                            widget=_area(2, required=True))
    time_limit = forms.DateField(label=_("Time limit"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date", "required": True}, format="%Y-%m-%d"))
    contingency_plan = forms.CharField(label=_("Safety measures and contingency plan"), required=False,
                                       max_length=2000, widget=_area(3, required=True))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan = getattr(self.case, "plan", None) if self.case is not None else None
        if plan is not None and not self.is_bound:
            for name in ("responsibility", "measures", "funds", "time_limit", "contingency_plan"):
                self.initial[name] = getattr(plan, name)


class StartForm(ActionForm):
    action = CaseAction.START
    help_text = _("The responsible unit has begun to rectify the hazard.")


class ListForm(ActionForm):
    action = CaseAction.LIST
    help_text = _("List this major hazard for supervision by the department.")


class ApproveForm(ActionForm):
    action = CaseAction.APPROVE
    help_text = _("The evidence shows the hazard is removed: pass the acceptance check and close the case.")


class ReturnForm(ActionForm):
    action = CaseAction.RETURN
    danger = True
    help_text = _("The rectification is not sufficient: return the case to the responsible unit.")
    reason = forms.CharField(label=_("Reason (shown to the reporter)"), required=False, max_length=2000,
                             widget=_area(3, required=True))


class NoteForm(ActionForm):
    action = CaseAction.NOTE
    help_text = _("Visible to staff only.")
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_area(2, required=True))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SubmitForm(ActionForm):
    action = CaseAction.SUBMIT
    help_text = _("Describe what was done and attach photos of the rectified site.")
    note = forms.CharField(label=_("What was done"), required=False, max_length=2000, widget=_area(3, required=True))
    photos = forms.FileField(label=_("Photos"), required=False,
                             widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                                             "required": True}))


ACTION_FORMS: dict[str, type[ActionForm]] = {
    f.action: f for f in (AcceptForm, RejectForm, MergeForm, UnmergeForm, GradeForm, AssignForm, PlanForm, StartForm, ListForm,
                          SubmitForm, ApproveForm, ReturnForm, NoteForm)
}
