"""The demo city comes with a campaign: office_wu organizes it, officer_liu filed, grid_zhou registered late."""
import io

import pytest
from django.core.management import call_command

from hazardwatch.campaigns.models import Activity, Campaign, Liaison, Summary
from hazardwatch.campaigns.selectors import campaign_overview
from hazardwatch.core.audit import audit_verify

pytestmark = pytest.mark.django_db


def test_demo_has_a_campaign_with_filings_and_resets():
    call_command("demo", "--reports", "40", stdout=io.StringIO())
    campaign = Campaign.objects.get()
    assert campaign.office.name == "郑州市安全生产月活动办公室" and campaign.status == "open"
    assert Liaison.objects.filter(is_late=False).count() == 1 and Liaison.objects.filter(is_late=True).count() == 1
    assert Activity.objects.count() == 4
    summary = Summary.objects.get()
    assert not summary.is_late and summary.current.figures["activities"] == 3
    assert summary.current.figures["hazards_found"] > 0  # officer_liu's mall has cases in the period
    overview = campaign_overview(campaign)
    liaison = next(d for d in overview["deadlines"] if d["key"] == "liaison")
    assert (liaison["submitted"], liaison["late"]) == (1, 1) and liaison["missing"] == overview["units"] - 2
    assert audit_verify().ok
    call_command("demo", "--reset", stdout=io.StringIO())  # removes the old campaign with its office, seeds anew
    assert list(Campaign.objects.values_list("pk", flat=True)) not in ([], [campaign.pk])
    assert Campaign.objects.count() == 1
