"""Staff page: link a case to a risk point by its reference, and unlink it (POST + CSRF, audited)."""
import re

import pytest

from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.risk import services
from hazardwatch.risk.models import RiskPoint, RiskPointCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(city, point_payload):
    return services.risk_point_create(actor=city.officer_liu, data=point_payload(l=1, e=2, c=7))  # 14 → low


def _page(point):
    return f"/staff/risk/points/{point.pk}/"


def _effective(point):
    return RiskPoint.objects.with_effective_level().get(pk=point.pk).effective_level


def test_link_by_reference_turns_the_point_red_and_unlink_restores_it(client, city, point, major_case):
    client.force_login(city.officer_liu)
    html = client.get(_page(point)).content.decode()
    assert "data-link-case-form" in html and f"/staff/risk/points/{point.pk}/cases/" in html

    r = client.post(f"{_page(point)}cases/", {"reference": " hw20260000001 "})  # trimmed, case-insensitive
    assert r.status_code == 303 and r.url == f"{_page(point)}?linked=1#cases"
    assert RiskPointCase.objects.filter(risk_point=point, case=major_case).exists()
    assert _effective(point) == "major"
    html = client.get(r.url).content.decode()
    assert f'data-linked-case="{major_case.pk}"' in html and f'data-unlink-case="{major_case.pk}"' in html
    assert 'data-effective-level="major"' in html
    entry = AuditEntry.objects.get(action="risk_point.link_case", object_id=str(point.pk))
    assert entry.payload["reference"] == "HW20260000001" and entry.actor_id == city.officer_liu.pk

    r = client.post(f"{_page(point)}cases/", {"reference": "HW20260000001"})  # already linked
    assert r.status_code == 409 and str(services.CASE_ALREADY_LINKED) in r.content.decode()
    assert RiskPointCase.objects.filter(risk_point=point).count() == 1

    r = client.post(f"{_page(point)}cases/{major_case.pk}/unlink/")
    assert r.status_code == 303 and r.url == f"{_page(point)}?unlinked=1#cases"
    assert not RiskPointCase.objects.filter(risk_point=point).exists()
    assert _effective(point) == "low"
    assert AuditEntry.objects.filter(action="risk_point.unlink_case", object_id=str(point.pk),
                                     payload__case=major_case.pk).exists()
    assert client.post(f"{_page(point)}cases/{major_case.pk}/unlink/").status_code == 404  # not linked any more
    assert audit_verify().ok


def test_a_general_case_links_without_forcing_red(client, city, point, major_case):
    major_case.grade, major_case.criterion_item = "general", ""
    major_case.save()
    client.force_login(city.officer_liu)
    assert client.post(f"{_page(point)}cases/", {"reference": major_case.reference}).status_code == 303
    assert RiskPointCase.objects.filter(risk_point=point, case=major_case).exists()
    assert _effective(point) == "low"


def test_regulator_who_sees_the_case_may_link(client, city, point, major_case):
    client.force_login(city.em_li)  # Jinshui emergency management: sees the industry-and-trade case
    assert client.post(f"{_page(point)}cases/", {"reference": major_case.reference}).status_code == 303
    assert _effective(point) == "major"


def test_invisible_and_unknown_references_give_the_same_inline_400(client, city, point, major_case):
    client.force_login(city.inspector_li)  # fire brigade: sees the point (whole region) but not this case
    responses = [client.post(f"{_page(point)}cases/", {"reference": ref})
                 for ref in (major_case.reference, "HW20269999999")]
    bodies = []
    for r in responses:
        assert r.status_code == 400
        html = r.content.decode()
        assert str(services.CASE_NOT_FOUND) in html and 'class="risk-error"' in html
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        bodies.append(html.replace(major_case.reference, "").replace("HW20269999999", ""))
    assert bodies[0] == bodies[1]  # nothing tells an invisible case from a missing one
    assert "仓库安全出口被封堵" not in bodies[0]
    assert not RiskPointCase.objects.exists()
    assert not AuditEntry.objects.filter(action="risk_point.link_case").exists()

    r = client.post(f"{_page(point)}cases/", {"reference": ""})
    assert r.status_code == 400 and not RiskPointCase.objects.exists()


def test_users_who_cannot_see_the_point_get_404(client, city, point, major_case):
    services.risk_point_link_case(actor=city.officer_liu, point_id=point.pk, case_id=major_case.pk)
    for user in (city.other_officer, city.erqi_wang):
        client.force_login(user)
        assert client.post(f"{_page(point)}cases/", {"reference": major_case.reference}).status_code == 404
        assert client.post(f"{_page(point)}cases/{major_case.pk}/unlink/").status_code == 404
    assert RiskPointCase.objects.filter(risk_point=point).count() == 1
    assert AuditEntry.objects.filter(action="risk_point.link_case").count() == 1
    assert not AuditEntry.objects.filter(action="risk_point.unlink_case").exists()


def test_users_the_service_refuses_get_403_and_no_form(client, city, point, major_case, monkeypatch):
    """Today everyone who sees a point may link (staff, admins, regulators); the page follows the service
    rule, so a user it refuses sees no form and gets a 403 from both actions."""
    services.risk_point_link_case(actor=city.officer_liu, point_id=point.pk, case_id=major_case.pk)
    monkeypatch.setattr(services, "can_link_cases", lambda actor, point: False)
    monkeypatch.setattr(services, "_can_link", lambda actor, point: False)
    client.force_login(city.officer_liu)
    html = client.get(_page(point)).content.decode()
    assert "data-link-case-form" not in html and "data-unlink-case" not in html
    assert client.post(f"{_page(point)}cases/", {"reference": major_case.reference}).status_code == 403
    assert client.post(f"{_page(point)}cases/{major_case.pk}/unlink/").status_code == 403
    assert RiskPointCase.objects.filter(risk_point=point).count() == 1


def test_link_and_unlink_need_post_and_csrf(city, point, major_case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(city.officer_liu)
    assert client.get(f"{_page(point)}cases/").status_code == 405
    assert client.get(f"{_page(point)}cases/{major_case.pk}/unlink/").status_code == 405
    assert client.post(f"{_page(point)}cases/", {"reference": major_case.reference}).status_code == 403
    assert not RiskPointCase.objects.exists()
    html = client.get(_page(point)).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 2  # the point form and the link form
