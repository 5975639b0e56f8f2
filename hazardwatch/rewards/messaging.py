"""Telling reporters about their reward: approval notice and claim reminders.

Uses the same channels as case notifications (`cases.messaging`): e-mail through Django and SMS through the
configured backend, to the contact the reporter left; the contact is read through `identity_read` (audited).
The message names no amount's payee and no staff; the reporter checks details with the receipt code.
"""
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hazardwatch.integrations.sms import get_sms_backend


def _text(assessment, kind: str) -> str:
    with translation.override("zh-hans"):
        deadline = timezone.localtime(assessment.claim_deadline).date().isoformat() if assessment.claim_deadline else ""
        if kind == "approved":
            return _("A reward was approved for your hazard report {reference}. Claim it with your receipt code on "
                     "the status page by {date}.").format(reference=assessment.case.reference, date=deadline)
        return _("Reminder: the reward for your hazard report {reference} has not been claimed. Claim it with your "
                 "receipt code by {date}, or it is waived.").format(reference=assessment.case.reference, date=deadline)


def notify_reporter(assessment, kind: str) -> list[str]:
    """Send to every channel the reporter gave; returns the channels used."""
    from hazardwatch.reports.services import identity_read

    report = assessment.report
    if not hasattr(report, "identity"):
        return []
    identity = identity_read(report=report, actor="notifier", purpose=f"reward {kind} {assessment.pk}") or {}
    text = _text(assessment, kind)
    used = []
    if identity.get("email"):
        send_mail(f"[Hazardwatch] {assessment.case.reference}", text, None, [identity["email"]])
        used.append("email")
    if identity.get("phone"):
        get_sms_backend().send(identity["phone"], text)
        used.append("sms")
    return used
