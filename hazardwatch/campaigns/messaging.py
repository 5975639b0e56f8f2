"""Deadline reminders to units: e-mail and SMS to the registered liaison officer, each reminder once.

A reminder is (campaign, unit, deadline, before|late, channel). Its row is written first in its own
savepoint; a unique constraint makes a second run (or a concurrent worker) skip it, so nothing is sent twice.
Units without a liaison officer yet (the liaison deadline) are reminded by e-mail to their staff accounts.
"""
import datetime as dt

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hazardwatch.accounts.models import UNIT_ROLES, User
from hazardwatch.campaigns.models import Campaign, CampaignStatus, Deadline, Liaison, Reminder, Summary
from hazardwatch.campaigns.services import participating_units, today
from hazardwatch.integrations.sms import get_sms_backend


def _text(campaign: Campaign, unit, deadline: str, kind: str) -> str:
    with translation.override("zh-hans"):
        what = Deadline(deadline).label
        due = campaign.due(deadline).isoformat()
        if kind == Reminder.Kind.LATE:
            return _("{unit}: the {what} for “{campaign}” was due on {due} and has not been received. Please file "
                     "it now; late filings are accepted and marked late.").format(
                unit=unit.name, what=what, campaign=campaign.title, due=due)
        return _("{unit}: please file the {what} for “{campaign}” by {due}.").format(
            unit=unit.name, what=what, campaign=campaign.title, due=due)


def _addresses(campaign, unit, liaison) -> list[tuple[str, list[str]]]:
    if liaison is not None:
        out = [("sms", [liaison.phone])]
        if liaison.email:
            out.append(("email", [liaison.email]))
        return out
    emails = sorted(set(User.objects.filter(memberships__organization=unit, memberships__role__in=list(UNIT_ROLES),
                                            is_active=True).exclude(email="").values_list("email", flat=True)))
    return [("email", emails)] if emails else []


def _send_once(campaign, unit, deadline, kind, channel, addresses) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(campaign=campaign, unit=unit, deadline=deadline, kind=kind, channel=channel,
                                    address=",".join(addresses)[:254], sent_at=timezone.now())
    except IntegrityError:
        return False
    text = _text(campaign, unit, deadline, kind)
    if channel == "sms":
        get_sms_backend().send(addresses[0], text)
    else:
        send_mail(f"[Hazardwatch] {campaign.title}", text, None, addresses)
    return True


def reminders_due(campaign: Campaign, on: dt.date) -> list[tuple]:
    """(unit, deadline, kind) to remind on this day: not filed and within N days before, or past the deadline."""
    units = list(participating_units(campaign))
    filed = {Deadline.LIAISON: set(Liaison.objects.filter(campaign=campaign).values_list("unit_id", flat=True)),
             Deadline.SUMMARY: set(Summary.objects.filter(campaign=campaign).values_list("unit_id", flat=True))}
    out = []
    for deadline in Deadline:
        due = campaign.due(deadline)
        if on > due:
            kind = Reminder.Kind.LATE
        elif (due - on).days <= campaign.reminder_days:
            kind = Reminder.Kind.BEFORE
        else:
            continue
        out += [(u, deadline.value, kind) for u in units if u.pk not in filed[deadline]]
    return out


def campaign_reminders_send(campaign: Campaign, on: dt.date | None = None) -> int:
    on = on or today()
    if campaign.status != CampaignStatus.OPEN:
        return 0
    liaisons = {x.unit_id: x for x in Liaison.objects.filter(campaign=campaign)}
    sent = 0
    for unit, deadline, kind in reminders_due(campaign, on):
        for channel, addresses in _addresses(campaign, unit, liaisons.get(unit.pk)):
            sent += _send_once(campaign, unit, deadline, kind, channel, addresses)
    return sent


def reminders_send(on: dt.date | None = None) -> int:
    """The periodic job: every open campaign."""
    sent = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN).select_related("office__region"):
        sent += campaign_reminders_send(campaign, on)
    return sent
