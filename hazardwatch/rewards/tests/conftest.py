"""Reward fixtures: the city plus two reward reviewers at the city emergency bureau, and helpers over the API."""
import json

import pytest

from hazardwatch.cases.models import Case

JINSHUI = {"latitude": 34.78, "longitude": 113.672}
# Valid resident ID numbers (check digits computed by GB 11643), fictional people.
ID_A = "11010519491231002X"
ID_B = "410105199003074414"


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def rw(city):
    from hazardwatch.accounts.models import Membership, User

    def reviewer(name):
        user = User.objects.create_user(username=name, password="pw-" + name)
        Membership.objects.create(user=user, organization=city.city_em, role="reward_reviewer")
        return user

    city.reviewer_qian = reviewer("reviewer_qian")
    city.reviewer_he = reviewer("reviewer_he")
    return city


def submit(client, *, category="escape_route", contact=None, description="小区地下车库消防通道被杂物堵塞，消防栓没水"):
    body = {"description": description, **JINSHUI, "category": category, "place_type": "residential"}
    if contact:
        body["contact"] = contact
    resp = post_json(client, "/api/v1/reports", body)
    assert resp.status_code == 201, resp.content
    return resp.json()["receipt_code"], Case.objects.get(reference=resp.json()["reference"])


def act(client, user, case, action, expect=200, **data):
    client.force_login(user)
    resp = post_json(client, f"/api/v1/cases/{case.pk}/transitions", {"action": action, **data})
    assert resp.status_code == expect, (action, resp.status_code, resp.content)
    client.logout()
    return resp.json()


def verify(client, rw, case, grade="general"):
    """Accept and grade: the case becomes verified for rewards."""
    act(client, rw.inspector_li, case, "accept", note="现场核实属实")
    if grade == "major":
        act(client, rw.leader_zhao, case, "grade", grade="major", criterion_standard="应急管理部令第x号",
            criterion_item="第四条（一）")
    else:
        act(client, rw.inspector_li, case, "grade", grade="general")


def as_user(client, user, method, url, body=None, expect=None):
    client.force_login(user)
    if method == "get":
        resp = client.get(url)
    else:
        resp = post_json(client, url, body or {})
    client.logout()
    if expect is not None:
        assert resp.status_code == expect, (url, resp.status_code, resp.content)
    return resp


def claim_body(code, **extra):
    return {"receipt_code": code, "name": "张三", "id_number": ID_A, "phone": "13800138000",
            "payment_method": "alipay", "account": "13800138000", "declaration": True, **extra}
