"""Drill fixtures: a plan payload for the city's enterprise (located in 金水区) and helpers."""
import datetime as dt
import json

import pytest
from django.utils import timezone

SITE = (34.78, 113.68)  # 金水区
API = "/api/v1/drills"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def located_city(city):
    from hazardwatch.accounts.models import Organization

    Organization.objects.filter(pk=city.enterprise.pk).update(lat=SITE[0], lon=SITE[1])
    city.enterprise.refresh_from_db()
    return city


@pytest.fixture
def plan_payload(located_city):
    def make(**overrides):
        data = {
            "organization_id": located_city.enterprise.pk, "kind": "evacuation", "title": "春季消防疏散演练",
            "scenario": "二楼仓库起火，全员按疏散路线撤离到东侧广场集合点清点人数",
            "scheduled_at": local(timezone.now() + dt.timedelta(days=3)), "place": "办公楼及东侧广场",
            "planned_minutes": 30, "planned_participants": 80,
            "participant_groups": "总指挥 1；疏散引导组 6；救护组 2；员工 71",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def liu(client, located_city):
    client.force_login(located_city.officer_liu)
    return client


@pytest.fixture
def planned(located_city, plan_payload):
    from hazardwatch.drills import services

    return services.drill_plan(actor=located_city.officer_liu, data=plan_payload())


@pytest.fixture
def running(located_city, planned):
    from hazardwatch.drills import services

    return services.drill_start(actor=located_city.officer_liu, drill_id=planned.pk)
