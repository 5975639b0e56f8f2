"""The demo city carries rewards in every state and a few ledger entries; reset still works."""
import io

import pytest
from django.core.management import call_command

from hazardwatch.core.audit import audit_verify
from hazardwatch.rewards.models import LedgerEntry, RewardAssessment, RewardClaim, RewardReminder


@pytest.mark.django_db
def test_demo_has_rewards_in_every_state_and_reset_keeps_the_ledger():
    call_command("demo", "--reports", "60", stdout=io.StringIO())
    states = set(RewardAssessment.objects.values_list("status", flat=True))
    assert {"proposed", "approved", "paid", "rejected", "expired"} <= states, states
    assert LedgerEntry.objects.count() >= 2
    assert RewardClaim.objects.count() >= LedgerEntry.objects.count()
    for a in RewardAssessment.objects.filter(status__in=["approved", "paid"]):
        assert a.decided_by_id not in a.proposers  # never approved by its proposer or editor
    # no reminder will ever go to a fictional reporter
    unclaimed = RewardAssessment.objects.filter(status="approved", claim__isnull=True)
    assert all(RewardReminder.objects.filter(assessment=a).exists() for a in unclaimed)
    assert audit_verify().ok
    entries = LedgerEntry.objects.count()
    from hazardwatch.demo.seed import demo_reset

    demo_reset(log=lambda *a: None)
    assert RewardAssessment.objects.count() == 0 and LedgerEntry.objects.count() == entries
