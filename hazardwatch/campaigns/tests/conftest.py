"""Campaign fixtures: the city's campaign office (office_wu), three participating units, an open campaign."""
import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from conftest import _user

API = "/api/v1/campaigns"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def put(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def cw(city):
    """office_wu's office at city level; units: enterprise (Jinshui), school (a Jinshui township), other
    enterprise (Erqi); a community in Jinshui that the campaign (enterprises and schools) leaves out."""
    from hazardwatch.accounts.models import Organization
    from hazardwatch.campaigns.models import Campaign
    from hazardwatch.places.models import Division

    today = timezone.localdate()
    ns = SimpleNamespace(city=city, today=today)
    ns.office = Organization.objects.create(kind="campaign_office", name="郑州市安全生产月活动办公室",
                                            region=city.divisions["410100"])
    ns.office_wu = _user("office_wu", ns.office, "campaign_office", email="wu@example.cn")
    ns.township = Division.objects.get(code="410105002")
    ns.school = Organization.objects.create(kind="school", name="花园路小学", region=ns.township)
    ns.teacher_ma = _user("teacher_ma", ns.school, "safety_officer", email="ma@example.cn")
    ns.community = Organization.objects.create(kind="community", name="锦绣社区", region=ns.township)
    ns.grid_zhou = _user("grid_zhou", ns.community, "grid_member")
    ns.enterprise, ns.other = city.enterprise, city.other_enterprise
    ns.campaign = Campaign.objects.create(
        office=ns.office, title="2026年安全生产月", theme="人人讲安全、个个会应急——查找身边隐患",
        starts_on=today - dt.timedelta(days=20), ends_on=today + dt.timedelta(days=20),
        liaison_due=today + dt.timedelta(days=2), summary_due=today + dt.timedelta(days=10),
        unit_kinds=["enterprise", "school"], reminder_days=3, status="open", created_by=ns.office_wu)
    return ns


def unit_url(ns, unit, tail=""):
    return f"{API}/{ns.campaign.pk}/units/{unit.pk}{tail}"
