"""The claim page (receipt code → claim form), the staff reward pages, and the ledger's append-only guard."""
import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from openpyxl import load_workbook

from hazardwatch.core.models import AuditEntry
from hazardwatch.rewards import services
from hazardwatch.rewards.models import LedgerEntry, RewardAssessment, RewardClaim
from hazardwatch.rewards.tests.conftest import ID_A, submit, verify


def approved_reward(client, rw, **submit_kwargs):
    code, case = submit(client, **submit_kwargs)
    verify(client, rw, case)
    a = services.assessment_propose(case_id=case.pk, actor=rw.inspector_li)
    services.assessment_approve(assessment_id=a.pk, actor=rw.reviewer_qian)
    return code, case, a


CLAIM = {"step": "claim", "name": "张三", "id_number": ID_A, "phone": "138 0013 8000", "payment_method": "bank",
         "account": "6222 0212 3456 7890 123", "bank_name": "中国工商银行郑州分行", "declaration": "on"}


@pytest.mark.django_db
def test_claim_page_from_receipt_to_claim(client, rw):
    code, case, a = approved_reward(client, rw)
    client.cookies["django_language"] = "en"
    page = client.get("/rewards/claim/")
    assert page.status_code == 200 and b'name="receipt_code"' in page.content and b"id_number" not in page.content
    # wrong or malformed codes: the lookup form again, with the message, nothing asked
    resp = client.post("/rewards/claim/", {"step": "lookup", "receipt_code": "7KQ2-M9XD-4T0B-RW8E"})
    assert resp.status_code == 404 and b"No report has this receipt code" in resp.content
    assert client.post("/rewards/claim/", {"step": "lookup", "receipt_code": "x"}).status_code == 400
    resp = client.post("/rewards/claim/", {"step": "lookup", "receipt_code": code})
    assert resp.status_code == 200 and b'id="claim"' in resp.content and b"500.00" in resp.content
    assert code.encode() in resp.content  # carried in the hidden field of the POST form, never in a URL
    # invalid ID number: 400, the form again with the message next to the field, nothing stored
    resp = client.post("/rewards/claim/", {**CLAIM, "receipt_code": code, "id_number": "110105194912310021"})
    assert resp.status_code == 400 and b"not a valid resident ID number" in resp.content
    assert RewardClaim.objects.count() == 0
    resp = client.post("/rewards/claim/", {**CLAIM, "receipt_code": code})
    assert resp.status_code == 200 and b"Your claim was received" in resp.content
    claim = RewardClaim.objects.get()
    assert claim.payment_method == "bank" and claim.payable_fen == 50_000
    resp = client.post("/rewards/claim/", {**CLAIM, "receipt_code": code})
    assert resp.status_code == 409 and b"already been claimed" in resp.content
    # the status page shows the claim was received, and no claim button any more
    resp = client.post("/status/", {"receipt_code": code})
    assert b"Your reward claim was received" in resp.content and b"Claim the reward" not in resp.content


@pytest.mark.django_db
def test_staff_pages_review_reveal_pay_and_export(client, rw):
    client.cookies["django_language"] = "en"
    code, case = submit(client)
    verify(client, rw, case)
    client.force_login(rw.inspector_li)
    client.cookies["django_language"] = "en"
    resp = client.get("/staff/rewards/")
    assert resp.status_code == 200 and case.reference.encode() in resp.content and b'id="due"' in resp.content
    resp = client.post(f"/staff/rewards/cases/{case.pk}/propose/")
    a = RewardAssessment.objects.get()
    assert resp.status_code == 303 and resp["Location"] == f"/staff/rewards/{a.pk}/"
    client.logout()
    # not staff of anything: refused
    client.force_login(rw.reporter_wang)
    assert client.get("/staff/rewards/").status_code == 403
    client.logout()
    client.force_login(rw.reviewer_qian)
    client.cookies["django_language"] = "en"
    page = client.get(f"/staff/rewards/{a.pk}/")
    assert page.status_code == 200 and b'id="approve"' in page.content
    resp = client.post(f"/staff/rewards/{a.pk}/edit/", {"amount_yuan": "9999"})
    assert resp.status_code == 400 and b"between 200.00 and 500.00" in resp.content
    assert client.post(f"/staff/rewards/{a.pk}/approve/", {"note": "属实"}).status_code == 303
    assert RewardAssessment.objects.get().status == "approved"
    client.logout()
    client.cookies["django_language"] = "en"
    client.post("/rewards/claim/", {**CLAIM, "receipt_code": code})
    client.force_login(rw.reviewer_he)
    page = client.get(f"/staff/rewards/{a.pk}/")
    assert ID_A.encode() not in page.content  # only on request
    reads = AuditEntry.objects.filter(action="reward.claim.read").count()
    page = client.post(f"/staff/rewards/{a.pk}/claim/", {"purpose": "payment"})
    assert page.status_code == 200 and ID_A.encode() in page.content and "中国工商银行".encode() in page.content
    assert AuditEntry.objects.filter(action="reward.claim.read").count() == reads + 1
    assert client.post(f"/staff/rewards/{a.pk}/pay/", {"payment_reference": ""}).status_code == 400
    assert client.post(f"/staff/rewards/{a.pk}/pay/", {"payment_reference": "=HYPERLINK(1)"}).status_code == 303
    assert client.post(f"/staff/rewards/{a.pk}/pay/", {"payment_reference": "again"}).status_code == 409
    assert LedgerEntry.objects.count() == 1
    ledger = client.get("/staff/rewards/ledger/")
    assert ledger.status_code == 200 and case.reference.encode() in ledger.content
    xlsx = client.get("/staff/rewards/ledger/?format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[2][5] == "'=HYPERLINK(1)"  # no formula injection
    csv_text = client.get("/staff/rewards/ledger/?format=csv").content.decode("utf-8-sig")
    assert case.reference in csv_text and ID_A not in csv_text
    client.logout()
    # a regulator sees the assessment but not the claimant
    client.force_login(rw.inspector_li)
    assert client.post(f"/staff/rewards/{a.pk}/claim/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_ledger_rows_cannot_be_updated_or_deleted_in_the_database(client, rw):
    code, case, a = approved_reward(client, rw)
    services.claim_submit(receipt_code=code, data={"name": "张三", "id_number": ID_A, "phone": "13800138000",
                                                   "payment_method": "wechat", "account": "zhangsan_01",
                                                   "declaration": True})
    services.assessment_pay(assessment_id=a.pk, actor=rw.reviewer_qian, payment_reference="WX1")
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL; SQLite relies on the model guard and the audit chain")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            LedgerEntry.objects.update(amount_fen=1)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().amount_fen == 50_000
