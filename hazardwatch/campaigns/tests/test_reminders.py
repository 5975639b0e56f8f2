"""Deadline reminders: N days before a deadline and to late units, by SMS and e-mail, each once only."""
import datetime as dt

import pytest
from django.core import mail

from hazardwatch.campaigns.models import Campaign, Reminder
from hazardwatch.campaigns.tasks import campaigns_send_reminders
from hazardwatch.campaigns.tests.conftest import API, put, unit_url
from hazardwatch.integrations.sms import MemorySMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_soon(client, cw):
    """The enterprise registered its liaison officer (SMS + e-mail); the liaison deadline passed yesterday and
    the summary is due in 2 days (reminders 3 days ahead). The school's officer has an e-mail; the other
    enterprise's has none (nothing to send it)."""
    client.force_login(cw.city.officer_liu)
    r = put(client, unit_url(cw, cw.enterprise, "/liaison"),
            {"name": "刘洋", "position": "安全主管", "phone": "13800138000", "email": "liu@example.cn"})
    assert r.status_code == 200
    Campaign.objects.filter(pk=cw.campaign.pk).update(liaison_due=cw.today - dt.timedelta(days=1),
                                                      summary_due=cw.today + dt.timedelta(days=2))
    return cw


def test_the_job_reminds_before_and_after_deadlines_once(due_soon):
    from hazardwatch.jobs.schedules import schedules

    assert campaigns_send_reminders in [task for task, _interval in schedules()]
    result = campaigns_send_reminders.enqueue()
    assert result.return_value == {"reminded": 4}
    # the enterprise: summary due soon → SMS and e-mail to its liaison officer
    assert MemorySMSBackend.outbox == [("13800138000", MemorySMSBackend.outbox[0][1])]
    assert due_soon.campaign.title in MemorySMSBackend.outbox[0][1]
    assert str(due_soon.today + dt.timedelta(days=2)) in MemorySMSBackend.outbox[0][1]
    assert sorted(m.to[0] for m in mail.outbox) == ["liu@example.cn", "ma@example.cn", "ma@example.cn"]
    kinds = sorted(Reminder.objects.values_list("unit__name", "deadline", "kind", "channel"))
    assert kinds == sorted([
        ("郑州示例商贸有限公司", "summary", "before", "sms"),
        ("郑州示例商贸有限公司", "summary", "before", "email"),
        ("花园路小学", "liaison", "late", "email"),   # no liaison officer yet: its staff accounts
        ("花园路小学", "summary", "before", "email"),
    ])
    # running again (or the next hour, or the next day) sends nothing twice
    assert campaigns_send_reminders.enqueue().return_value == {"reminded": 0}
    from hazardwatch.campaigns.messaging import reminders_send

    assert reminders_send(on=due_soon.today + dt.timedelta(days=1)) == 0
    assert len(MemorySMSBackend.outbox) == 1 and len(mail.outbox) == 3
    # after the summary deadline the units still missing get one "late" reminder
    assert reminders_send(on=due_soon.today + dt.timedelta(days=3)) == 3  # enterprise SMS + e-mail, school e-mail
    assert reminders_send(on=due_soon.today + dt.timedelta(days=4)) == 0


def test_filed_units_and_closed_campaigns_are_not_reminded(client, due_soon):
    from hazardwatch.campaigns.tests.conftest import post

    client.force_login(due_soon.city.officer_liu)
    assert post(client, unit_url(due_soon, due_soon.enterprise, "/summary"), {"narrative": "已报"}).status_code == 201
    client.force_login(due_soon.office_wu)
    r = client.post(f"{API}/{due_soon.campaign.pk}/reminders")
    assert r.status_code == 200 and r.json() == {"sent": 2}  # only the school: liaison late + summary before
    assert MemorySMSBackend.outbox == []
    assert client.post(f"{API}/{due_soon.campaign.pk}/reminders").json() == {"sent": 0}
    Reminder.objects.all().delete()
    Campaign.objects.filter(pk=due_soon.campaign.pk).update(status="closed")
    assert client.post(f"{API}/{due_soon.campaign.pk}/reminders").json() == {"sent": 0}
    client.force_login(due_soon.city.officer_liu)
    assert client.post(f"{API}/{due_soon.campaign.pk}/reminders").status_code == 403
