"""The demo city comes with drills in every state, an issue that became a hazard case, and resets cleanly."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from hazardwatch.accounts.models import Membership
from hazardwatch.core.audit import audit_verify
from hazardwatch.drills.models import Drill, DrillIssue
from hazardwatch.drills.selectors import unit_drill_figures

pytestmark = pytest.mark.django_db


def test_demo_has_drills_and_resets(client):
    call_command("demo", "--reports", "12", "--seed", "7", stdout=io.StringIO())
    assert set(Drill.objects.values_list("status", flat=True)) == {"planned", "recorded", "cancelled"}
    liu_org = Membership.objects.get(user__username="officer_liu").organization_id
    issues = DrillIssue.objects.filter(drill__organization_id=liu_org).select_related("report__case")
    assert issues.count() == 2
    for issue in issues:
        assert issue.report.reported_unit_id == liu_org and issue.report.case.responsible_unit_id == liu_org
    today = timezone.localdate()
    figures = unit_drill_figures([liu_org], today - dt.timedelta(days=60), today)
    assert figures["drills"] == 2 and figures["issues_found"] == 2 and figures["participants"] > 0
    client.cookies["django_language"] = "en"
    client.login(username="officer_liu", password="hazardwatch-demo")
    r = client.get("/staff/drills/")
    assert r.status_code == 200 and b'data-count="4"' in r.content
    assert audit_verify().ok
    call_command("demo", "--reset", stdout=io.StringIO())
    assert not Drill.objects.filter(organization_id=liu_org).exists()
