"""Stories through the API and pages: from a verified report to a payment in the ledger, and what must not happen."""
import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.integrations.sms import MemorySMSBackend
from hazardwatch.rewards import services
from hazardwatch.rewards.models import LedgerAppendOnly, LedgerEntry, RewardAssessment, RewardClaim
from hazardwatch.rewards.tests.conftest import ID_A, ID_B, act, as_user, claim_body, post_json, submit, verify


@pytest.mark.django_db
def test_anonymous_reporter_claims_from_receipt_to_ledger(client, rw, on_commit):
    client.cookies["django_language"] = "en"
    with on_commit(execute=True):
        code, case = submit(client, contact={"phone": "13900139000"})
        verify(client, rw, case)
    # a regulator proposes from the rule: a blocked escape route is the 500-yuan fire tier
    out = as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {}, expect=201).json()
    assert out["status"] == "proposed" and out["amount_yuan"] == "500.00" and out["tier"] == "general_fire"
    assert out["rule"] == "全国默认举报奖励标准" and "500" in out["clause"]
    aid = out["id"]

    # the reporter sees the reward on the status page and can claim already
    page = client.post("/status/", {"receipt_code": code})
    assert page.status_code == 200 and b'id="reward"' in page.content and b"/rewards/claim/" in page.content

    with on_commit(execute=True):
        out = as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/approve",
                      {"note": "属实"}, expect=200).json()
    assert out["status"] == "approved"
    deadline = dt.datetime.fromisoformat(out["claim_deadline"])
    assert 59 <= (deadline - timezone.now()).days <= 60
    assert any(case.reference in text for _, text in MemorySMSBackend.outbox[-1:])  # approval notice to the contact

    resp = post_json(client, "/api/v1/rewards/claims/lookup", {"receipt_code": code})
    assert resp.json()["can_claim"] and resp.json()["amount_yuan"] == "500.00"
    resp = post_json(client, "/api/v1/rewards/claims", claim_body(code))
    assert resp.status_code == 201, resp.content
    assert resp.json()["payable_yuan"] == "500.00"
    claim = RewardClaim.objects.get()
    assert ID_A not in claim.ciphertext and "张三" not in claim.ciphertext and ID_A not in claim.id_hash

    # only a reward reviewer sees the details, and every read is audited
    as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/assessments/{aid}/claim", {}, expect=403)
    before = AuditEntry.objects.filter(action="reward.claim.read").count()
    details = as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/claim",
                      {"purpose": "支付"}, expect=200).json()
    assert details["id_number"] == ID_A and details["account"] == "13800138000"
    assert AuditEntry.objects.filter(action="reward.claim.read").count() == before + 1

    entry = as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/pay",
                    {"payment_reference": "ZFB20260616001"}, expect=201).json()
    assert entry["amount_yuan"] == "500.00" and entry["case_reference"] == case.reference
    # a second payment of the same reward is refused and nothing changes
    resp = as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/pay",
                   {"payment_reference": "again"}, expect=409)
    assert resp.json()["message"] == str(services.ALREADY_PAID)
    assert LedgerEntry.objects.count() == 1 and RewardAssessment.objects.get().status == "paid"

    ledger = as_user(client, rw.reviewer_qian, "get", "/api/v1/rewards/ledger", expect=200).json()
    assert ledger["count"] == 1 and ledger["total_yuan"] == "500.00"
    csv_resp = as_user(client, rw.reviewer_qian, "get", "/api/v1/rewards/ledger/export?format=csv", expect=200)
    rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8-sig"))))
    assert rows[1][2] == case.reference and rows[1][3] == "500.00" and ID_A not in csv_resp.content.decode()
    xlsx = as_user(client, rw.reviewer_qian, "get", "/api/v1/rewards/ledger/export?format=xlsx", expect=200)
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[2][2] == case.reference and float(values[2][3]) == 500.0

    e = LedgerEntry.objects.get()
    e.amount_fen = 1
    with pytest.raises(LedgerAppendOnly):
        e.save()
    with pytest.raises(LedgerAppendOnly):
        e.delete()
    assert AuditEntry.objects.filter(action__startswith="reward.").count() >= 5
    assert audit_verify().ok


@pytest.mark.django_db
def test_bad_claims_are_refused_and_change_nothing(client, rw):
    code, case = submit(client)
    other_code, _other = submit(client, description="另一处楼道堵塞，电动车停在楼梯间充电")
    # wrong, malformed receipt
    assert post_json(client, "/api/v1/rewards/claims", claim_body("7KQ2-M9XD-4T0B-RW8E")).status_code == 404
    assert post_json(client, "/api/v1/rewards/claims", claim_body("nonsense")).status_code == 400
    # no reward yet (case not verified)
    resp = post_json(client, "/api/v1/rewards/claims", claim_body(code))
    assert resp.status_code == 404 and resp.json()["message"] == str(services.NO_REWARD)
    verify(client, rw, case)
    aid = as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {},
                  expect=201).json()["id"]
    # invalid ID number (check digit), bad account, missing declaration: one 400 listing each field
    bad = claim_body(code, id_number=ID_A[:-1] + "1", payment_method="bank", account="12", declaration=False)
    resp = post_json(client, "/api/v1/rewards/claims", bad)
    assert resp.status_code == 400
    fields = resp.json()["extra"]["fields"]
    assert {"id_number", "account", "bank_name", "declaration"} <= set(fields)
    assert RewardClaim.objects.count() == 0
    # a regulator covering the case cannot claim even with the receipt
    client.force_login(rw.inspector_li)
    assert post_json(client, "/api/v1/rewards/claims", claim_body(code)).status_code == 403
    client.logout()
    assert post_json(client, "/api/v1/rewards/claims", claim_body(code)).status_code == 201
    # already claimed (the receipt was used)
    resp = post_json(client, "/api/v1/rewards/claims", claim_body(code))
    assert resp.status_code == 409 and resp.json()["message"] == str(services.ALREADY_CLAIMED)
    assert RewardClaim.objects.count() == 1
    # the other report's case is not verified
    assert post_json(client, "/api/v1/rewards/claims", claim_body(other_code)).status_code == 404
    # paying a claimed but unapproved reward is refused
    as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/pay", {"payment_reference": "x"},
            expect=409)
    assert LedgerEntry.objects.count() == 0


@pytest.mark.django_db
def test_rewards_need_a_verified_case_and_a_second_reviewer(client, rw):
    code, case = submit(client)
    resp = as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {}, expect=409)
    assert resp.json()["message"] == str(services.CASE_NOT_VERIFIED)
    act(client, rw.inspector_li, case, "accept")
    as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {}, expect=409)
    act(client, rw.inspector_li, case, "grade", grade="general")
    # another jurisdiction's staff does not even see the case
    as_user(client, rw.erqi_wang, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {}, expect=404)
    aid = as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {},
                  expect=201).json()["id"]
    as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {}, expect=409)
    # the proposer cannot approve, nor can a regulator who is not a reward reviewer
    resp = as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=403)
    assert resp.json()["message"] == str(services.OWN_ASSESSMENT)
    as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=403)
    # a reviewer who edits becomes unable to approve too
    as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/edit", {"amount_yuan": "200"},
            expect=200)
    as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=403)
    # amounts outside the rule's bounds (general tiers: 200–500 yuan)
    for amount in ("199.99", "500.01", "-1", "abc", "1.001"):
        resp = as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/assessments/{aid}/edit",
                       {"amount_yuan": amount}, expect=400)
        assert "amount_yuan" in resp.json()["extra"]["fields"]
    assert RewardAssessment.objects.get().amount_fen == 20_000
    # rejection needs a reason; an anonymous caller gets 401
    as_user(client, rw.city_sun, "post", f"/api/v1/rewards/assessments/{aid}/reject", {"reason": ""}, expect=403)
    assert post_json(client, f"/api/v1/rewards/assessments/{aid}/approve", {}).status_code == 401
    from hazardwatch.accounts.models import Membership, User

    third = User.objects.create_user(username="reviewer_third")
    Membership.objects.create(user=third, organization=rw.city_em, role="reward_reviewer")
    as_user(client, third, "post", f"/api/v1/rewards/assessments/{aid}/reject", {"reason": " "}, expect=400)
    out = as_user(client, third, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=200).json()
    assert out["status"] == "approved" and out["amount_yuan"] == "200.00"
    as_user(client, third, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=409)


@pytest.mark.django_db
def test_major_hazard_reward_is_fifteen_percent_of_the_fine_within_bounds(client, rw):
    _code, case = submit(client, description="商场营业期间全部安全出口上锁封堵，疏散通道堆满货物")
    verify(client, rw, case, grade="major")
    out = as_user(client, rw.inspector_li, "post",
                  f"/api/v1/rewards/cases/{case.pk}/assessment", {}, expect=201).json()
    assert out["kind"] == "major" and out["amount_yuan"] is None
    assert (out["min_yuan"], out["max_yuan"]) == ("3000.00", "300000.00")
    aid = out["id"]
    # no fine yet: cannot approve
    resp = as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=400)
    assert resp.json()["message"] == str(services.FINE_REQUIRED)
    cases = [("10000", "3000.00"), ("19999.99", "3000.00"), ("20000", "3000.00"), ("20000.10", "3000.02"),
             ("100000", "15000.00"), ("2000000", "300000.00"), ("2000000.01", "300000.00"), ("9000000", "300000.00")]
    for fine, amount in cases:
        out = as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/edit",
                      {"fine_yuan": fine}, expect=200).json()
        assert out["amount_yuan"] == amount, (fine, out["amount_yuan"])
    for amount, status in (("2999.99", 400), ("300000.01", 400), ("3000", 200), ("300000", 200)):
        as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/edit", {"amount_yuan": amount},
                expect=status)
    out = as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=200).json()
    assert out["amount_yuan"] == "300000.00" and out["fine_yuan"] == "9000000.00"


@pytest.mark.django_db
def test_only_the_first_valid_reporter_is_rewarded(client, rw):
    code1, case1 = submit(client)
    code2, case2 = submit(client, description="同一个车库消防通道被堵，消防栓也没水")
    act(client, rw.inspector_li, case2, "merge", target_case_id=case1.pk)
    verify(client, rw, case1)
    a = services.assessment_propose(case_id=case1.pk)
    assert a.report.case_id in (case1.pk, case2.pk) and a.proposed_by is None
    resp = post_json(client, "/api/v1/rewards/claims", claim_body(code2))
    assert resp.status_code == 409 and resp.json()["message"] == str(services.NOT_FIRST_REPORTER)
    assert post_json(client, "/api/v1/rewards/claims", claim_body(code1)).status_code == 201


@pytest.mark.django_db
def test_matters_already_known_are_excluded(client, rw):
    code, case = submit(client)
    verify(client, rw, case)
    out = as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/cases/{case.pk}/assessment",
                  {"known_note": "该隐患已在3月检查中发现并立案"}, expect=201).json()
    assert out["status"] == "excluded" and "3月检查" in out["exclusion_reason"]
    assert post_json(client, "/api/v1/rewards/claims", claim_body(code)).status_code == 409
    assert post_json(client, "/api/v1/rewards/claims/lookup", {"receipt_code": code}).status_code == 404
    # a case entered by staff (inspection) is excluded by the platform itself
    from hazardwatch.reports.models import Report

    _code2, case2 = submit(client, description="检查发现楼道堆放杂物堵塞疏散通道")
    Report.objects.filter(case=case2).update(source="staff")
    verify(client, rw, case2)
    a = services.assessment_propose(case_id=case2.pk)
    assert a.status == "excluded" and a.exclusion_reason
    assert services.propose_due() == 0  # nothing left to propose; idempotent


@pytest.mark.django_db
def test_claim_window_reminders_and_expiry(client, rw, settings, on_commit):
    from django.core.management import call_command

    settings.HAZARDWATCH_REWARD_REMINDER_DAYS = [14, 3]
    with on_commit(execute=True):
        code, case = submit(client, contact={"phone": "13900139000", "email": "r@example.com"})
        verify(client, rw, case)
    call_command("rewards", "propose")  # the platform proposes
    a = RewardAssessment.objects.get()
    with on_commit(execute=True):
        services.assessment_approve(assessment_id=a.pk, actor=rw.reviewer_qian)
    MemorySMSBackend.outbox.clear()
    mail.outbox.clear()
    call_command("rewards", "remind")
    assert MemorySMSBackend.outbox == []  # 60 days left: no reminder yet
    RewardAssessment.objects.filter(pk=a.pk).update(claim_deadline=timezone.now() + dt.timedelta(days=10))
    call_command("rewards", "remind")
    call_command("rewards", "remind")
    assert len(MemorySMSBackend.outbox) == 1 and len(mail.outbox) == 1  # sent once
    RewardAssessment.objects.filter(pk=a.pk).update(claim_deadline=timezone.now() + dt.timedelta(days=2))
    call_command("rewards", "run")
    call_command("rewards", "run")
    assert len(MemorySMSBackend.outbox) == 2
    assert sorted(a.reminders.values_list("days_before", flat=True)) == [3, 14]
    # after the deadline: the claim is refused (410) and the reward expires
    RewardAssessment.objects.filter(pk=a.pk).update(claim_deadline=timezone.now() - dt.timedelta(minutes=1))
    resp = post_json(client, "/api/v1/rewards/claims", claim_body(code))
    assert resp.status_code == 410 and RewardClaim.objects.count() == 0
    call_command("rewards", "expire")
    assert RewardAssessment.objects.get().status == "expired"
    assert post_json(client, "/api/v1/rewards/claims", claim_body(code)).status_code == 410


@pytest.mark.django_db
def test_per_person_caps_and_the_most_specific_rule(client, rw, tmp_path):
    from django.core.management import CommandError, call_command

    rules = tmp_path / "zz.yaml"
    rules.write_text("""
rules:
  - region: "410100"
    name: 郑州市举报奖励标准
    general:
      - {code: any, amount_yuan: 300, categories: [], clause: 郑州市第五条}
    caps: {period: year, max_amount_yuan: 500, max_count: 2}
  - region: "410103"
    name: 二七区标准
    general:
      - {code: any, amount_yuan: 100, categories: []}
""", encoding="utf-8")
    call_command("rewards", "load-rules")
    call_command("rewards", "load-rules", "--file", str(rules))
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - region: '999999'\n    name: x\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("rewards", "load-rules", "--file", str(bad))
    codes = []
    for i in range(3):
        code, case = submit(client, description=f"楼道堆放杂物堵塞疏散通道，第{i}处")
        verify(client, rw, case)
        a = services.assessment_propose(case_id=case.pk, actor=rw.inspector_li)
        assert a.rule_name == "郑州市举报奖励标准" and a.amount_fen == 30_000 and a.clause == "郑州市第五条"
        services.assessment_approve(assessment_id=a.pk, actor=rw.reviewer_qian)
        codes.append(code)
    # first claim 300, second is cut to the 200 left under the 500-yuan cap, third: over the count and amount
    assert post_json(client, "/api/v1/rewards/claims", claim_body(codes[0])).json()["payable_yuan"] == "300.00"
    assert post_json(client, "/api/v1/rewards/claims", claim_body(codes[1])).json()["payable_yuan"] == "200.00"
    client.cookies["django_language"] = "en"  # (verify() signs in and out, which clears cookies)
    resp = post_json(client, "/api/v1/rewards/claims", claim_body(codes[2]))
    assert resp.status_code == 409 and "limit" in resp.json()["message"]
    # another person is not affected by the first one's cap
    assert post_json(client, "/api/v1/rewards/claims", claim_body(codes[2], id_number=ID_B)).status_code == 201
    for a in RewardAssessment.objects.all():
        services.assessment_pay(assessment_id=a.pk, actor=rw.reviewer_he, payment_reference=f"P{a.pk}")
    assert sorted(LedgerEntry.objects.values_list("amount_fen", flat=True)) == [20_000, 30_000, 30_000]


@pytest.mark.django_db
def test_assessment_list_has_a_query_ceiling(client, rw, django_assert_max_num_queries):
    for i in range(6):
        code, case = submit(client, description=f"楼道堆放杂物堵塞疏散通道，第{i}处")
        verify(client, rw, case)
        services.assessment_propose(case_id=case.pk, actor=rw.inspector_li)
        if i % 2:
            services.claim_submit(receipt_code=code, data=claim_body(code, id_number=ID_B))
    client.force_login(rw.reviewer_qian)
    with django_assert_max_num_queries(8):
        resp = client.get("/api/v1/rewards/assessments?status=proposed")
    assert resp.status_code == 200 and resp.json()["count"] == 6
    assert sum(1 for row in resp.json()["items"] if row["claimed"]) == 3


@pytest.mark.django_db
def test_the_worker_schedules_the_reward_job_which_proposes_verified_cases(client, rw):
    from hazardwatch.jobs.schedules import schedules
    from hazardwatch.rewards.tasks import rewards_periodic

    assert any(task is rewards_periodic and interval == 3600 for task, interval in schedules())
    _code, case = submit(client)
    verify(client, rw, case)
    result = rewards_periodic.enqueue()  # the immediate backend in tests runs it now
    assert result.return_value == {"proposed": 1, "expired": 0, "reminded": 0}
    assert RewardAssessment.objects.get().proposed_by is None


@pytest.mark.django_db
def test_rules_are_edited_per_region_in_the_admin(client, rw):
    client.force_login(rw.admin_chen)
    url = "/admin/rewards/rewardrule/add/"
    base = {"region": "410105", "name": "金水区标准", "major_percent": "15", "major_min_fen": "300000",
            "major_max_fen": "30000000", "cap_period": "year"}
    resp = client.post(url, {**base, "general_tiers": '[{"code": "x", "amount_fen": -5}]'})
    assert resp.status_code == 200 and not services.RewardRule.objects.exists()
    resp = client.post(url, {**base, "general_tiers": '[{"code": "x", "amount_fen": 80000, "categories": []}]'})
    assert resp.status_code == 302
    assert AuditEntry.objects.filter(action="reward.rule.edit").count() == 1
    _code, case = submit(client)
    verify(client, rw, case)
    a = services.assessment_propose(case_id=case.pk)
    assert a.rule_name == "金水区标准" and a.amount_fen == 80_000


@pytest.mark.django_db
def test_a_claimed_or_paid_reward_can_no_longer_be_rejected(client, rw):
    client.cookies["django_language"] = "en"
    code, case = submit(client)
    verify(client, rw, case)
    aid = as_user(client, rw.inspector_li, "post", f"/api/v1/rewards/cases/{case.pk}/assessment", {},
                  expect=201).json()["id"]
    as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/approve", {}, expect=200)
    assert post_json(client, "/api/v1/rewards/claims", claim_body(code)).status_code == 201
    # API: refused with a message, nothing changes
    resp = as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/reject",
                   {"reason": "改主意了"}, expect=409)
    assert resp.json()["message"] == str(services.CLAIMED_CANNOT_REJECT)
    assert RewardAssessment.objects.get().status == "approved"
    # the staff page offers no rejection any more, and a forged form post is refused the same way
    client.force_login(rw.reviewer_he)
    client.cookies["django_language"] = "en"
    page = client.get(f"/staff/rewards/{aid}/")
    assert page.status_code == 200 and b"/reject/" not in page.content
    page = client.post(f"/staff/rewards/{aid}/reject/", {"reason": "改主意了"})
    assert page.status_code == 409 and "already been claimed by the reporter" in page.content.decode()
    client.logout()
    as_user(client, rw.reviewer_qian, "post", f"/api/v1/rewards/assessments/{aid}/pay",
            {"payment_reference": "ZFB1"}, expect=201)
    resp = as_user(client, rw.reviewer_he, "post", f"/api/v1/rewards/assessments/{aid}/reject",
                   {"reason": "改主意了"}, expect=409)
    assert resp.json()["message"] == str(services.ALREADY_PAID)
    assert RewardAssessment.objects.get().status == "paid" and LedgerEntry.objects.count() == 1
