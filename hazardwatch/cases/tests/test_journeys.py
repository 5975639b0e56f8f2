"""Stories through the HTTP API: a hazard from a phone to a closed case, and what must not happen."""
import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from hazardwatch.cases.models import Case, CaseEvent
from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.integrations.sms import MemorySMSBackend

JINSHUI = {"latitude": 34.78, "longitude": 113.672}


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def submit(client, **extra):
    body = {"description": "小区地下车库消防通道被杂物堵塞，消防栓没水", **JINSHUI, "category": "escape_route",
            "place_type": "residential", "contact": {"phone": "13800138000", "email": "r@example.com"}, **extra}
    resp = post_json(client, "/api/v1/reports", body)
    assert resp.status_code == 201, resp.content
    return resp.json()["receipt_code"], Case.objects.get(reference=resp.json()["reference"])


def act(client, user, case, action, expect=200, **data):
    client.force_login(user)
    resp = post_json(client, f"/api/v1/cases/{case.pk}/transitions", {"action": action, **data})
    assert resp.status_code == expect, (action, resp.status_code, resp.content)
    client.logout()
    return resp.json()


def evidence(client, user, case, make_jpeg, expect=200, note="已清理杂物，恢复消防栓供水"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    resp = client.post(f"/api/v1/cases/{case.pk}/evidence",
                       {"note": note, "photos": [SimpleUploadedFile("after.jpg", make_jpeg(), "image/jpeg")]})
    assert resp.status_code == expect, resp.content
    client.logout()
    return resp.json()


def lookup(client, code):
    resp = post_json(client, "/api/v1/reports/lookup", {"receipt_code": code})
    assert resp.status_code == 200
    return resp.json()


@pytest.mark.django_db
def test_anonymous_phone_report_is_governed_to_closure(client, city, make_jpeg, on_commit):
    with on_commit(execute=True):
        code, case = submit(client, contact=None)
    assert case.regulator == city.jinshui_fire and case.status == "new"

    with on_commit(execute=True):
        act(client, city.inspector_li, case, "accept", note="现场核实属实")
        out = act(client, city.inspector_li, case, "grade", grade="general")
        assert out["grade"] == "general"
        out = act(client, city.inspector_li, case, "assign", responsible_unit_id=city.enterprise.pk)
    assert out["status"] == "assigned" and out["responsible_unit"] == city.enterprise.name
    deadline = dt.datetime.fromisoformat(out["deadline"])
    assert 9 <= (deadline - timezone.now()).days <= 10  # the regulator's policy: 10 days for general hazards

    with on_commit(execute=True):
        act(client, city.officer_liu, case, "start")
        out = evidence(client, city.officer_liu, case, make_jpeg)
    assert out["status"] == "awaiting_verification"
    with on_commit(execute=True):
        out = act(client, city.inspector_li, case, "approve", note="复查合格，予以销号")
    assert out["status"] == "closed" and out["closed_at"]

    status = lookup(client, code)
    assert status["status"] == "closed" and status["can_dispute"]
    assert [h["action"] for h in status["history"]] == ["open", "accept", "assign", "start", "submit", "approve"]
    assert "grade" not in json.dumps(status)  # determination is internal
    assert audit_verify().ok


@pytest.mark.django_db
def test_reporter_is_notified_at_each_public_step(client, city, on_commit):
    with on_commit(execute=True):
        code, case = submit(client)
    with on_commit(execute=True):
        act(client, city.inspector_li, case, "accept")
        act(client, city.inspector_li, case, "grade", grade="general")  # internal: no message
    assert len(mail.outbox) == 2 and len(MemorySMSBackend.outbox) == 2  # open + accept, email and SMS
    assert case.reference in mail.outbox[-1].body
    assert MemorySMSBackend.outbox[-1][0] == "13800138000"
    reads = AuditEntry.objects.filter(action="identity.read")
    assert reads.count() == 2 and all(e.actor_label == "notifier" for e in reads)


@pytest.mark.django_db
def test_major_hazard_with_five_implementations_listing_and_overdue_escalation(client, city, make_jpeg, on_commit):
    code, case = submit(client, category="fire_equipment", place_type="entertainment",
                        description="KTV包厢没有自动喷水灭火系统，疏散通道只有一个出口")
    act(client, city.inspector_li, case, "accept")
    # staff cannot confirm a major hazard; a leader can, and must cite the criterion item
    act(client, city.inspector_li, case, "grade", expect=403, grade="major", criterion_standard="GB 35181-2025",
        criterion_item="5.x")
    out = act(client, city.leader_zhao, case, "grade", expect=400, grade="major")
    assert "criterion_item" in out["extra"]["fields"]
    act(client, city.leader_zhao, case, "grade", grade="major", criterion_standard="GB 35181-2025",
        criterion_item="5.6", note="集体讨论认定")
    case.refresh_from_db()
    assert case.grade == "major" and case.determined_by == city.leader_zhao
    act(client, city.leader_zhao, case, "list", note="区安委办挂牌督办")
    out = act(client, city.inspector_li, case, "assign", responsible_unit_id=city.enterprise.pk)
    assert 59 <= (dt.datetime.fromisoformat(out["deadline"]) - timezone.now()).days <= 60  # major: 60 days
    # rectification cannot start without the five implementations
    out = act(client, city.officer_liu, case, "start", expect=400)
    assert "plan" in out["extra"]["fields"]
    out = act(client, city.officer_liu, case, "plan", expect=400, responsibility="张总")
    act(client, city.officer_liu, case, "plan", responsibility="总经理张某负总责，安全部李某具体负责",
        measures="加装自动喷水灭火系统，增设第二安全出口", funds="专项资金48万元", time_limit="2027-02-28",
        contingency_plan="整改期间停业，设专人值守")
    out = act(client, city.officer_liu, case, "start")
    assert out["plan"]["funds"] == "专项资金48万元"

    # the deadline passes: the periodic job marks it overdue and escalates to the city fire service
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    from hazardwatch.cases.tasks import cases_check_overdue

    cases_check_overdue.call()
    case.refresh_from_db()
    assert case.is_overdue and case.escalation_level == 1 and case.supervising_regulator == city.city_fire
    # the city leader now sees it in the overdue queue and can act
    client.force_login(city.city_sun)
    queue = client.get("/api/v1/cases", {"overdue": True}).json()
    assert [c["reference"] for c in queue["items"]] == [case.reference]
    client.logout()
    cases_check_overdue.call()  # idempotent: already escalated
    case.refresh_from_db()
    assert case.escalation_level == 1
    evidence(client, city.officer_liu, case, make_jpeg)
    out = act(client, city.city_sun, case, "approve")
    assert out["status"] == "closed" and not out["is_overdue"] and not out["is_listed"]
    assert audit_verify().ok


@pytest.mark.django_db
def test_dispute_by_receipt_reopens_a_closed_case(client, city, make_jpeg):
    code, case = submit(client)
    for action, data in [("accept", {}), ("grade", {"grade": "general"}),
                         ("assign", {"responsible_unit_id": city.enterprise.pk}), ("start", {})]:
        act(client, city.inspector_li, case, action, **data)
    evidence(client, city.officer_liu, case, make_jpeg)
    act(client, city.inspector_li, case, "approve")
    resp = post_json(client, "/api/v1/reports/dispute", {"receipt_code": code, "reason": "杂物又堆回去了"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "triaged"
    case.refresh_from_db()
    assert case.reopen_count == 1 and case.closed_at is None
    # disputing again is not allowed until it is closed again
    again = post_json(client, "/api/v1/reports/dispute", {"receipt_code": code, "reason": "还是没改"})
    assert again.status_code == 409 and again.json()["message"]
    event = CaseEvent.objects.filter(case=case, action="dispute").get()
    assert event.actor_label == "reporter" and event.note == "杂物又堆回去了"


@pytest.mark.django_db
def test_regulator_of_another_district_or_sector_gets_404(client, city):
    code, case = submit(client)
    for user in (city.erqi_wang, city.em_li):  # Erqi fire (other district), Jinshui EM (other sector)
        client.force_login(user)
        assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
        assert client.get("/api/v1/cases").json()["count"] == 0
        resp = post_json(client, f"/api/v1/cases/{case.pk}/transitions", {"action": "accept"})
        assert resp.status_code == 404
        assert client.get(f"/api/v1/cases/{case.pk}/reporters").status_code == 404
        client.logout()
    case.refresh_from_db()
    assert case.status == "new"
    # the city fire service covers the whole city subtree
    client.force_login(city.city_sun)
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200


@pytest.mark.django_db
def test_enterprise_sees_only_its_own_cases_and_never_the_reporter(client, city):
    _, mine = submit(client)
    _, other = submit(client, description="另一处隐患：配电房门口堆放纸箱")
    act(client, city.inspector_li, mine, "accept")
    act(client, city.inspector_li, mine, "grade", grade="general")
    act(client, city.inspector_li, mine, "assign", responsible_unit_id=city.enterprise.pk)
    client.force_login(city.officer_liu)
    listed = client.get("/api/v1/cases").json()
    assert [c["id"] for c in listed["items"]] == [mine.pk]
    assert client.get(f"/api/v1/cases/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/cases/{mine.pk}/reporters").status_code == 403
    # the enterprise cannot do the regulator's work
    resp = post_json(client, f"/api/v1/cases/{mine.pk}/transitions", {"action": "approve"})
    assert resp.status_code == 403
    client.force_login(city.other_officer)
    assert client.get(f"/api/v1/cases/{mine.pk}").status_code == 404


@pytest.mark.django_db
def test_reading_reporter_identity_is_audited(client, city):
    _, case = submit(client, contact={"name": "李女士", "phone": "13912345678"}, is_employee=True)
    client.force_login(city.inspector_li)
    resp = client.get(f"/api/v1/cases/{case.pk}/reporters")
    assert resp.status_code == 200
    [who] = resp.json()
    assert who["name"] == "李女士" and who["phone"] == "13912345678" and who["is_employee"]
    entry = AuditEntry.objects.filter(action="identity.read").latest("id")
    assert entry.actor_label == "inspector_li" and "13912345678" not in json.dumps(entry.payload)


@pytest.mark.django_db
@pytest.mark.parametrize("action,data,expect", [
    ("approve", {}, 409),  # not in this state
    ("assign", {"responsible_unit_id": 1}, 409),
    ("fly", {}, 400),  # unknown action
    ("dispute", {"reason": "x"}, 403),  # only the reporter disputes
    ("escalate", {}, 403),  # only the periodic job escalates
])
def test_disallowed_transitions_are_clear_4xx(client, city, action, data, expect):
    _, case = submit(client)
    out = act(client, city.inspector_li, case, action, expect=expect, **data)
    assert out["message"]
    case.refresh_from_db()
    assert case.status == "new"


@pytest.mark.django_db
def test_reject_shows_reason_to_reporter_and_merge_moves_reports(client, city):
    code1, c1 = submit(client)
    code2, c2 = submit(client)
    code3, c3 = submit(client)
    act(client, city.inspector_li, c1, "reject", expect=400)
    act(client, city.inspector_li, c1, "reject", reason="经核查不属于安全隐患")
    assert lookup(client, code1)["reason"] == "经核查不属于安全隐患"
    act(client, city.inspector_li, c3, "merge", expect=400, target_case_id=c1.pk)  # closed target
    act(client, city.inspector_li, c3, "merge", target_case_id=c2.pk)
    status = lookup(client, code3)
    assert status["reference"] == c2.reference  # the report now follows the case it was merged into
    c3.refresh_from_db()
    assert c3.status == "merged" and c3.merged_into == c2


@pytest.mark.django_db
def test_assign_validates_unit_and_deadline(client, city):
    _, case = submit(client)
    act(client, city.inspector_li, case, "accept")
    act(client, city.inspector_li, case, "assign", expect=400, responsible_unit_id=city.enterprise.pk)  # no grade
    act(client, city.inspector_li, case, "grade", grade="general")
    out = act(client, city.inspector_li, case, "assign", expect=400, responsible_unit_id=city.jinshui_fire.pk)
    assert "responsible_unit_id" in out["extra"]["fields"]
    out = act(client, city.inspector_li, case, "assign", expect=400, responsible_unit_id=city.enterprise.pk,
              deadline="2001-01-01")
    assert "deadline" in out["extra"]["fields"]
    act(client, city.inspector_li, case, "assign", expect=400, responsible_unit_id=city.enterprise.pk,
        deadline="tomorrow")
    out = act(client, city.inspector_li, case, "assign", responsible_unit_id=city.enterprise.pk, deadline="2099-05-01")
    assert out["deadline"].startswith("2099-05-01")


@pytest.mark.django_db
def test_case_api_requires_sign_in(client, city):
    _, case = submit(client)
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 401
    assert client.get("/api/v1/cases", {"limit": 0}).status_code in (400, 401)


@pytest.mark.django_db
def test_audit_verify_catches_a_tampered_case_event(client, city):
    from hazardwatch.core.tests.test_audit import tamper

    _, case = submit(client)
    act(client, city.inspector_li, case, "accept")
    act(client, city.inspector_li, case, "reject", reason="重复")
    assert audit_verify().ok
    target = AuditEntry.objects.filter(action="case.accept").get()
    tamper("UPDATE core_auditentry SET actor_label = %s WHERE id = %s", ["someone_else", target.pk])
    result = audit_verify()
    assert not result.ok and result.broken_id == target.pk


@pytest.mark.django_db
def test_refused_evidence_leaves_no_files(client, city, make_jpeg, settings):
    from pathlib import Path

    _, case = submit(client)
    act(client, city.inspector_li, case, "accept")
    out = evidence(client, city.inspector_li, case, make_jpeg, expect=409)  # not being rectified yet
    assert out["message"]
    evidence_dir = Path(settings.MEDIA_ROOT) / "private" / "evidence"
    assert not evidence_dir.exists() or not any(p.is_file() for p in evidence_dir.rglob("*"))


@pytest.mark.django_db
def test_accepted_case_that_is_never_assigned_escalates(client, city):
    _, case = submit(client)
    act(client, city.inspector_li, case, "accept")
    case.refresh_from_db()
    assert case.deadline is not None
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    from hazardwatch.cases.services import cases_mark_overdue

    assert cases_mark_overdue() == 1
    case.refresh_from_db()
    assert case.is_overdue and case.supervising_regulator == city.city_fire
