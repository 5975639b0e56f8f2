"""Two-factor sign-in (TOTP): enrolment, the code step, recovery codes, and leaders who must use it."""
import re
import time

import pyotp
import pytest
from django.db import connection
from django.test import Client

from hazardwatch.accounts import twofactor
from hazardwatch.accounts.models import RecoveryCode, TOTPDevice
from hazardwatch.accounts.testing import totp_enrol, totp_now
from hazardwatch.core.models import AuditEntry

LOGIN, CODE, SETUP = "/staff/login/", "/staff/login/code/", "/staff/security/two-factor/"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _secret_from(html: str) -> str:
    return re.search(r"data-totp-secret>([A-Z2-7]+)<", html).group(1)


def _codes_from(html: str) -> list[str]:
    return re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", html)


@pytest.mark.django_db
def test_staff_enable_two_factor_with_a_qr_code_and_a_confirming_code(city):
    client = Client()
    client.force_login(city.inspector_li)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'data-totp-state="off"' in html
    secret = _secret_from(html)
    assert _secret_from(client.get(SETUP).content.decode()) == secret  # a reload keeps the scanned secret
    wrong = client.post(SETUP, {"action": "confirm", "code": "000000" if totp_now(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and not twofactor.totp_enabled(city.inspector_li)
    done = client.post(SETUP, {"action": "confirm", "code": totp_now(secret)})
    codes = _codes_from(done.content.decode())
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"]
    assert twofactor.totp_enabled(city.inspector_li)
    assert AuditEntry.objects.filter(action="accounts.totp_enabled", actor_id=city.inspector_li.pk).exists()
    # at rest: the secret is encrypted and recovery codes are hashed
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM accounts_totpdevice")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT code_hash FROM accounts_recoverycode")
        hashes = {row[0] for row in cursor.fetchall()}
    assert secret not in stored and len(hashes) == 10
    assert not hashes & {c for code in codes for c in (code, code.replace("-", ""))}


@pytest.mark.django_db
def test_sign_in_asks_for_the_code_after_the_password(city):
    secret = totp_enrol(city.inspector_li)
    client = Client()
    first = client.post(LOGIN, {"username": "inspector_li", "password": "pw-inspector_li", "next": "/dashboard/"})
    assert first.status_code == 303 and first["Location"] == CODE
    assert not _signed_in(client)
    assert client.get("/staff/")["Location"].startswith(LOGIN)  # nothing opens before the second step
    assert client.post(CODE, {"code": "12345"}).status_code == 400
    assert not _signed_in(client)
    code = totp_now(secret)
    done = client.post(CODE, {"code": code})
    assert done.status_code == 303 and done["Location"] == "/dashboard/" and _signed_in(client)
    # the same code cannot be used a second time (replay), even in a new sign-in
    other = Client()
    other.post(LOGIN, {"username": "inspector_li", "password": "pw-inspector_li"})
    assert other.post(CODE, {"code": code}).status_code == 400 and not _signed_in(other)


@pytest.mark.django_db
def test_the_code_step_without_a_password_step_goes_back_to_login(city):
    totp_enrol(city.inspector_li)
    assert Client().post(CODE, {"code": "123456"})["Location"] == LOGIN
    client = Client()
    client.post(LOGIN, {"username": "inspector_li", "password": "pw-inspector_li"})
    session = client.session
    data = session["hw_2fa_pending"]
    data["t"] = time.time() - 301  # the password step is valid for five minutes
    session["hw_2fa_pending"] = data
    session.save()
    assert client.get(CODE)["Location"] == LOGIN


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(city):
    client = Client()
    client.force_login(city.inspector_li)
    secret = _secret_from(client.get(SETUP).content.decode())
    codes = _codes_from(client.post(SETUP, {"action": "confirm", "code": totp_now(secret)}).content.decode())
    for expected in (303, 400):
        fresh = Client()
        fresh.post(LOGIN, {"username": "inspector_li", "password": "pw-inspector_li"})
        assert fresh.post(CODE, {"code": codes[0].lower()}).status_code == expected
    assert RecoveryCode.objects.filter(user=city.inspector_li, used_at__isnull=True).count() == 9


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_lockout(city):
    totp_enrol(city.inspector_li)
    client = Client()
    client.post(LOGIN, {"username": "inspector_li", "password": "pw-inspector_li"})
    statuses = [client.post(CODE, {"code": "000001"}).status_code for _ in range(6)]
    assert statuses[:4] == [400] * 4 and statuses[-1] == 429


@pytest.mark.django_db
def test_leaders_must_set_up_two_factor_before_anything_else(city):
    client = Client()
    first = client.post(LOGIN, {"username": "leader_zhao", "password": "pw-leader_zhao", "next": "/staff/risk/"})
    assert first.status_code == 303 and first["Location"] == SETUP
    assert not _signed_in(client)
    assert client.get("/staff/")["Location"].startswith(LOGIN)
    page = client.get(SETUP).content.decode()
    assert "data-totp-required" in page
    done = client.post(SETUP, {"action": "confirm", "code": totp_now(_secret_from(page))})
    assert done.status_code == 200 and _signed_in(client)
    assert 'href="/staff/risk/"' in done.content.decode()  # "Continue" goes where they were going
    assert client.get("/staff/").status_code == 200
    # a leader cannot switch it off
    secret = twofactor.totp_secret(TOTPDevice.objects.get(user=city.leader_zhao))
    refused = client.post(SETUP, {"action": "disable", "code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert refused.status_code == 400 and twofactor.totp_enabled(city.leader_zhao)


@pytest.mark.django_db
def test_staff_may_switch_it_off_with_a_current_code(city):
    secret = totp_enrol(city.inspector_li)
    client = Client()
    client.force_login(city.inspector_li)
    assert 'data-totp-state="on"' in client.get(SETUP).content.decode()
    assert client.post(SETUP, {"action": "disable", "code": "999999x"}).status_code == 400
    assert client.post(SETUP, {"action": "disable", "code": totp_now(secret)}).status_code == 303
    assert not TOTPDevice.objects.filter(user=city.inspector_li).exists()
    assert client.post(LOGIN, {"username": "inspector_li", "password": "pw-inspector_li"}).status_code == 302


@pytest.mark.django_db
def test_setup_page_needs_a_sign_in(city):
    assert Client().get(SETUP)["Location"].startswith(LOGIN)
