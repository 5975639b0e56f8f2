"""The demo city comes with risk lists: both methods, all four levels, zones, and linked major hazards."""
import io

import pytest
from django.core.management import call_command

from hazardwatch.accounts.models import Organization
from hazardwatch.core.audit import audit_verify
from hazardwatch.risk.models import RiskPoint, RiskPointCase

pytestmark = pytest.mark.django_db


def test_demo_enterprises_have_risk_lists():
    call_command("demo", "--reports", "40", stdout=io.StringIO())
    enterprises = Organization.objects.filter(kind="enterprise")
    assert enterprises.exists()
    for org in enterprises:
        assert 5 <= org.risk_points.count() <= 7, org.name
    points = RiskPoint.objects.all()
    assert set(points.values_list("method", flat=True)) == {"lec", "ls"}
    assert set(points.values_list("level", flat=True)) == {"major", "high", "general", "low"}
    assert not points.filter(zone__isnull=True).exists()
    for link in RiskPointCase.objects.select_related("case"):
        assert link.case.grade == "major"
    assert audit_verify().ok
    before = points.count()
    call_command("demo", "--reset", stdout=io.StringIO())  # removes the old risk points with their organizations
    assert RiskPoint.objects.count() == before
