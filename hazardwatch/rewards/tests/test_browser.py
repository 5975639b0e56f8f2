"""On a phone: the reporter looks up their receipt, taps "claim", fills in identity and payment details, sends."""
import pytest

from hazardwatch.rewards import services
from hazardwatch.rewards.models import RewardClaim
from hazardwatch.rewards.tests.conftest import ID_A, submit, verify


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_claims_a_reward_with_the_receipt_code(live_server, phone_page, client, rw):
    code, case = submit(client)
    verify(client, rw, case)
    a = services.assessment_propose(case_id=case.pk, actor=rw.inspector_li)
    services.assessment_approve(assessment_id=a.pk, actor=rw.reviewer_qian)

    page = phone_page
    page.goto(f"{live_server.url}/status/")
    page.fill("#id_receipt_code", code)
    page.locator("form[action='/status/'] button[type=submit]").click()
    page.wait_for_selector("#reward")
    page.locator("#reward button[type=submit]").click()
    page.wait_for_selector("#claim")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing overflows the phone width
    assert page.text_content("#reward-amount").strip() == "¥500.00"
    assert code not in page.url

    # a wrong check digit first: the form comes back with the message, the typed values kept
    page.fill("#id_name", "张三")
    page.fill("#id_id_number", ID_A[:-1] + "1")
    page.fill("#id_phone", "13800138000")
    page.check("#id_payment_method_1")  # Alipay
    page.fill("#id_account", "13800138000")
    page.check("#id_declaration")
    page.locator("#claim button[type=submit]").click()
    page.wait_for_selector("#claim .has-error")
    assert RewardClaim.objects.count() == 0
    assert page.input_value("#id_name") == "张三"

    page.fill("#id_id_number", ID_A)
    page.locator("#claim button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("#claim").count() == 0
    claim = RewardClaim.objects.get()
    assert claim.payment_method == "alipay" and claim.payable_fen == 50_000
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
