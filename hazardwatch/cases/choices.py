"""Case vocabularies. Code asks about status groups, not labels."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Accepted")
    ASSIGNED = "assigned", _("Assigned for rectification")
    RECTIFYING = "rectifying", _("Being rectified")
    AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting acceptance check")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another case")


TERMINAL_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED})
OPEN_STATUSES = frozenset(set(CaseStatus) - TERMINAL_STATUSES)
# States in which a deadline runs for the responsible unit.
DEADLINE_STATUSES = frozenset({CaseStatus.ASSIGNED, CaseStatus.RECTIFYING})


class CaseGrade(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major accident hazard")


class CaseAction(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    MERGE = "merge", _("Merge into another case")
    UNMERGE = "unmerge", _("Undo the merge")
    GRADE = "grade", _("Determine grade")
    ASSIGN = "assign", _("Assign rectification")
    START = "start", _("Start rectification")
    PLAN = "plan", _("Record the five implementations")
    LIST = "list", _("List for supervision")
    SUBMIT = "submit", _("Submit rectification evidence")
    APPROVE = "approve", _("Pass acceptance and close")
    RETURN = "return", _("Fail acceptance and return")
    DISPUTE = "dispute", _("Reporter disputes the fix")
    CONFIRM_FIX = "confirm_fix", _("Reporter confirms the fix")
    ESCALATE = "escalate", _("Escalate overdue case")
    NOTE = "note", _("Internal note")


class RejectCode(models.TextChoices):
    """Why a case was rejected. "untrue" (false or malicious) counts against the reporter and device."""

    NOT_A_HAZARD = "not_a_hazard", _("Not a safety hazard")
    OUT_OF_SCOPE = "out_of_scope", _("Not in this jurisdiction or not our competence")
    INSUFFICIENT = "insufficient", _("Not enough information to find it")
    UNTRUE = "untrue", _("Untrue: false or malicious report")
