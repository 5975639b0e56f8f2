"""Who is told what: the reporter hears of every public step (email and SMS if they gave them)."""
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from hazardwatch.cases.models import CaseEvent, Notification
from hazardwatch.integrations.sms import get_sms_backend


def _message(event: CaseEvent) -> str:
    with translation.override("zh-hans"):
        from hazardwatch.cases.choices import CaseStatus

        status = CaseStatus(event.case.status).label
        text = _("Your hazard report {reference} is now: {status}. Check it with your receipt code.").format(
            reference=event.case.reference, status=status)
        if event.action == "approve":
            text += " " + _("Was it fixed? Answer yes or no with your receipt code on the status page.")
        return text


def notify_reporters_of_event(event_id: int) -> int:
    """Send one message per channel per event and reporter (a unique row makes a re-run send nothing twice).

    The reporters of cases merged into this one are told too: they follow the surviving case.
    """
    from hazardwatch.cases.selectors import case_reports
    from hazardwatch.reports.services import identity_read

    event = CaseEvent.objects.select_related("case").filter(pk=event_id, is_public=True).first()
    if event is None:
        return 0
    sent = 0
    for report in case_reports(event.case).select_related("identity"):
        if not hasattr(report, "identity"):
            continue
        identity = identity_read(report=report, actor="notifier", purpose=f"notify event {event.pk}") or {}
        text = _message(event)
        for channel, address in (("email", identity.get("email")), ("sms", identity.get("phone"))):
            if not address:
                continue
            try:
                with transaction.atomic():
                    Notification.objects.create(case=event.case, event=event, channel=channel, report=report)
            except IntegrityError:
                continue
            if channel == "email":
                send_mail(f"[Hazardwatch] {event.case.reference}", text, None, [address])
            else:
                get_sms_backend().send(address, text)
            sent += 1
    return sent
