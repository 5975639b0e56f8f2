"""Login lockout: repeated failures lock a username or a client, with a clear message, audited."""
import time

import pytest
from django.test import Client

from hazardwatch.accounts.lockout import lockout_message
from hazardwatch.core.models import AuditEntry

LOGIN = "/staff/login/"


def _post(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def client_a():
    return Client(REMOTE_ADDR="10.0.0.1")


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_for_the_right_password(city, client_a):
    for _ in range(4):
        assert _post(client_a, "inspector_li", "wrong").status_code == 200
    fifth = _post(client_a, "inspector_li", "wrong")
    assert fifth.status_code == 429
    locked = _post(Client(REMOTE_ADDR="10.9.9.9"), "inspector_li", "pw-inspector_li")  # from another client too
    assert locked.status_code == 429
    assert lockout_message(900) in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session
    entry = AuditEntry.objects.get(action="accounts.login_locked")
    assert entry.payload["scope"] == "user" and entry.payload["user_id"] == city.inspector_li.pk
    assert "10.0.0.1" not in str(entry.payload) and "inspector_li" not in entry.object_id
    # other users are not affected
    assert _post(Client(REMOTE_ADDR="10.0.0.2"), "em_li", "pw-em_li").status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_after_its_period(city, client_a, monkeypatch):
    for _ in range(5):
        _post(client_a, "inspector_li", "wrong")
    assert _post(client_a, "inspector_li", "pw-inspector_li").status_code == 429
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 901)  # the cache's expiry reads the same clock
    assert _post(client_a, "inspector_li", "pw-inspector_li").status_code == 302


@pytest.mark.django_db
def test_unknown_and_known_usernames_get_the_same_answers(city):
    answers = {}
    for username in ("inspector_li", "no_such_user"):
        client = Client(REMOTE_ADDR=f"10.1.0.{len(answers) + 1}")
        codes = [_post(client, username, "wrong").status_code for _ in range(6)]
        page = _post(client, username, "wrong").content.decode()
        answers[username] = (codes, lockout_message(900) in page)
    assert answers["inspector_li"] == answers["no_such_user"] == ([200, 200, 200, 200, 429, 429], True)


@pytest.mark.django_db
def test_a_success_forgets_earlier_failures(city, client_a):
    for _ in range(4):
        _post(client_a, "inspector_li", "wrong")
    assert _post(client_a, "inspector_li", "pw-inspector_li").status_code == 302
    client_a.logout()
    for _ in range(4):
        assert _post(client_a, "inspector_li", "wrong").status_code == 200


@pytest.mark.django_db
def test_many_usernames_from_one_client_lock_that_client_only(city, settings):
    attacker = Client(REMOTE_ADDR="10.6.6.6")
    for i in range(20):
        _post(attacker, f"guess{i}", "wrong")
    assert _post(attacker, "em_li", "pw-em_li").status_code == 429
    assert AuditEntry.objects.filter(action="accounts.login_locked", payload__scope="client").count() == 1
    assert _post(Client(REMOTE_ADDR="10.0.0.7"), "em_li", "pw-em_li").status_code == 302


@pytest.mark.django_db
def test_a_locked_attempt_does_not_check_the_password(city, client_a, monkeypatch):
    from hazardwatch.accounts.models import User

    for _ in range(5):
        _post(client_a, "inspector_li", "wrong")
    calls = []
    original = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, raw: calls.append(1) or original(self, raw))
    assert _post(client_a, "inspector_li", "pw-inspector_li").status_code == 429
    assert calls == []


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_staff_login(city):
    response = Client().get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=/admin/accounts/user/")
    chain = Client().get("/admin/", follow=True).redirect_chain
    assert chain[-1][0].startswith("/staff/login/")
