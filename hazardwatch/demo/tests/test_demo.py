"""The demo command: a consistent city, every case state, a valid audit chain, and idempotence."""
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from hazardwatch.accounts.models import Membership, Organization, OrganizationKind, OrgPolicy, User
from hazardwatch.accounts.uscc import uscc_is_valid
from hazardwatch.cases.choices import CaseGrade, CaseStatus
from hazardwatch.cases.models import Case, CaseEvent, EvidencePhoto, MajorHazardPlan
from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.demo import data as D
from hazardwatch.demo import trust_seed
from hazardwatch.demo.seed import CAST, PASSWORD
from hazardwatch.places.models import Division
from hazardwatch.reports.models import Report, ReporterIdentity, ReportPhoto

pytestmark = pytest.mark.django_db

MODELS = (User, Organization, Membership, OrgPolicy, Report, ReportPhoto, ReporterIdentity, Case, CaseEvent,
          EvidencePhoto, MajorHazardPlan, AuditEntry)


TRUST_TEXTS = [text for _, _, text in trust_seed.UNTRUE_REPORTS] + [trust_seed.FOLLOW_TEXT]


def run(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_loads_a_consistent_city_once():
    output = run("--reports", "40")
    assert "Cases by status" in output

    # the named cast, with their roles and organisations
    for username, display, role, org_name in CAST:
        user = User.objects.get(username=username)
        assert user.display_name == display
        assert user.check_password(PASSWORD)
        assert Membership.objects.filter(user=user, role=role, organization__name=org_name).exists(), username
    assert User.objects.get(username="admin_chen").is_superuser
    assert Organization.objects.get(name="郑州市应急管理局").region_id == "410100"

    # a department for every sector at the city and at each county-level division, each with a policy
    counties = list(Division.objects.filter(level="county").values_list("code", flat=True))
    assert sorted(counties) == sorted(D.COUNTIES)
    for code in [D.CITY, *counties]:
        regs = Organization.objects.filter(kind=OrganizationKind.REGULATOR, region_id=code)
        assert regs.count() == len(D.DEPARTMENTS)
        assert {s for r in regs for s in r.sectors} >= {str(s) for dept in D.DEPARTMENTS.values() for s in dept[4]}
        assert OrgPolicy.objects.filter(organization__in=regs).count() == regs.count()
    assert Organization.objects.filter(kind=OrganizationKind.CAMPAIGN_OFFICE).exists()

    # enterprises with valid unified social credit codes registered in their own county
    enterprises = Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).select_related("region")
    assert enterprises.count() >= 30
    for org in enterprises:
        assert uscc_is_valid(org.uscc), org.uscc
        assert org.uscc[2:8] == org.region.parent_id
        assert org.primary_sector and org.lat and org.lon
    assert Organization.objects.filter(kind=OrganizationKind.SCHOOL).exists()
    assert Organization.objects.filter(kind=OrganizationKind.COMMUNITY).count() >= len(D.COUNTIES)

    # reports in every county-level division, each with a case (plus the reports of the public-trust scenes
    # and of the drills, counted apart)
    assert ", 40 reports (" in output and Report.objects.exclude(description__in=TRUST_TEXTS).count() >= 40
    for code in counties:
        assert Report.objects.filter(region__path__contains=f"/{code}/").exists(), code
    assert not Report.objects.filter(case__isnull=True).exists()
    assert Report.objects.filter(input_crs="gcj02").exists()
    assert ReporterIdentity.objects.exists() and ReportPhoto.objects.exists()
    assert not ReportPhoto.objects.filter(stripped="").exists()

    # every case state, the major-hazard path, overdue escalation, the reporter's dispute
    statuses = set(Case.objects.values_list("status", flat=True))
    assert len(set(CaseStatus.values) - statuses) <= 1, statuses
    majors = Case.objects.filter(grade=CaseGrade.MAJOR)
    assert majors.exists() and not majors.filter(criterion_item="").exists()
    assert MajorHazardPlan.objects.exists()
    assert CaseEvent.objects.filter(action="list").exists()
    assert Case.objects.filter(is_overdue=True, status__in=[CaseStatus.ASSIGNED, CaseStatus.RECTIFYING]).exists()
    assert Case.objects.filter(reopen_count__gt=0).exists()
    assert EvidencePhoto.objects.exists()
    liu_statuses = set(Case.objects.filter(responsible_unit__name=D.OFFICER_LIU_UNIT).values_list("status", flat=True))
    assert len(liu_statuses) >= 3, liu_statuses
    assert CaseEvent.objects.filter(actor__username="officer_liu").exists()

    # history is spread over past months and never in the future; the audit chain holds
    now = timezone.now()
    first = Report.objects.order_by("submitted_at").first().submitted_at
    assert (now - first).days >= 30
    assert not Report.objects.filter(submitted_at__gt=now).exists()
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    assert not Case.objects.filter(created_at__gt=now).exists()
    result = audit_verify()
    assert result.ok, result

    # public trust (#5): "was it fixed?" answered yes, and no (the case reopened); a reporter flagged for untrue
    # reports; reports that followed an existing case; a merge undone; honeypot hits; all visible to staff
    from hazardwatch.reports.models import FixFeedback, IntakeCounter

    assert FixFeedback.objects.filter(is_fixed=True).count() >= 2
    no = FixFeedback.objects.select_related("case").get(is_fixed=False)
    assert no.case.reopen_count >= 1 and CaseEvent.objects.filter(case=no.case, action="dispute").exists()
    assert Case.objects.filter(reject_code="untrue").count() == 3
    followed = Report.objects.filter(followed_existing=True)
    assert followed.count() == 3
    assert CaseEvent.objects.filter(action="follow", case__in=followed.values("case")).count() == 3
    assert CaseEvent.objects.filter(action="unmerge").count() == 1 and Case.objects.filter(status="merged").exists()
    assert IntakeCounter.objects.filter(name="honeypot", count__gt=0).exists()
    from django.test import Client

    staff = Client()
    staff.force_login(User.objects.get(username="admin_chen"))
    page = staff.get("/staff/reporters/flagged/").content.decode()
    assert page.count('<tr data-kind="reporter">') == 1 and 'data-honeypot="0"' not in page
    assert staff.get(f"/staff/cases/{no.case_id}/").status_code == 200

    # a second run without --reset changes nothing
    before = snapshot()
    assert "already loaded" in run("--reports", "40")
    assert snapshot() == before


def test_reset_reloads_the_same_city_and_keeps_the_audit_chain():
    run("--reports", "12", "--seed", "7")
    first = sorted(Report.objects.values_list("description", flat=True))
    users = User.objects.count()
    output = run("--reset", "--reports", "12", "--seed", "7")
    assert sorted(Report.objects.values_list("description", flat=True)) == first
    assert ", 12 reports (" in output
    assert User.objects.count() == users
    assert Organization.objects.filter(name=D.OFFICER_LIU_UNIT).count() == 1
    assert audit_verify().ok


@pytest.mark.parametrize("at", ["2026-11-30 05:01:00", "2026-11-30 14:30:00", "2026-11-30 22:10:00"])
def test_demo_never_dates_a_step_in_the_future_whatever_the_hour(at):
    """Case steps moved into office hours pushed the later steps along; at some hours of the day (05:01 UTC
    here) the last step of a case landed hours after the real present."""
    from freezegun import freeze_time

    with freeze_time(at, tick=True):
        run("--reports", "40")
        now = timezone.now()
        assert not CaseEvent.objects.filter(at__gt=now).exists()
        assert not Report.objects.filter(submitted_at__gt=now).exists()
