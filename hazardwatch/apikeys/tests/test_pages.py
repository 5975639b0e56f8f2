"""API key staff pages and /api/v1/apikeys, through HTTP: issue (secret shown once), list, revoke (POST with
confirmation, audited), scoping (another organization's user cannot see or revoke), anonymous → login."""
import json
import re

import pytest

from hazardwatch.apikeys.models import ApiKey
from hazardwatch.core.models import AuditEntry

NEW, LIST = "/staff/apikeys/new/", "/staff/apikeys/"


def _issue(client, user, org, name="ehs sync") -> tuple[ApiKey, str]:
    client.force_login(user)
    r = client.post(NEW, {"name": name, "organization": org.pk})
    assert r.status_code == 200, r.content.decode()[:2000]
    raw = re.search(r'value="(hwk_[A-Za-z0-9_\-]+)"', r.content.decode()).group(1)
    return ApiKey.objects.get(name=name), raw


@pytest.mark.django_db
def test_issue_shows_the_secret_once_and_the_key_works(city, client):
    page = client.get(NEW)
    assert page.status_code == 302 and "/login" in page["Location"]  # anonymous → sign in
    client.force_login(city.inspector_li)
    form = client.get(NEW).content.decode()
    assert city.jinshui_fire.name in form and city.erqi_fire.name not in form  # only their organizations
    key, raw = _issue(client, city.inspector_li, city.jinshui_fire)
    assert key.user == city.inspector_li and key.organization == city.jinshui_fire and key.key_hash != raw
    assert raw.startswith(f"hwk_{key.prefix}_")
    assert AuditEntry.objects.filter(action="apikey.create", object_id=str(key.pk)).exists()
    listing = client.get(LIST).content.decode()
    assert key.prefix in listing and "ehs sync" in listing and raw not in listing  # never shown again
    assert raw not in client.get(NEW).content.decode()
    client.logout()
    r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.django_db
def test_issue_refuses_another_organization_and_empty_names(city, client):
    client.force_login(city.inspector_li)
    r = client.post(NEW, {"name": "x", "organization": city.erqi_fire.pk})
    assert r.status_code == 400 and not ApiKey.objects.exists()
    r = client.post(NEW, {"name": "  ", "organization": city.jinshui_fire.pk})
    assert r.status_code == 400 and not ApiKey.objects.exists()


@pytest.mark.django_db
def test_revoke_needs_post_and_confirmation_and_is_audited(city, client):
    key, raw = _issue(client, city.inspector_li, city.jinshui_fire)
    url = f"/staff/apikeys/{key.pk}/revoke/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and key.prefix in confirm.content.decode()
    key.refresh_from_db()
    assert key.active  # a GET only asks
    r = client.post(url)
    assert r.status_code == 303 and r["Location"] == LIST
    key.refresh_from_db()
    assert not key.active and key.revoked_by == city.inspector_li
    assert AuditEntry.objects.filter(action="apikey.revoke", object_id=str(key.pk)).exists()
    client.logout()
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_another_organizations_user_cannot_see_or_revoke(city, client):
    key, _raw = _issue(client, city.inspector_li, city.jinshui_fire)
    # a colleague of the same organization sees it (and may revoke a leaked key)
    client.force_login(city.leader_zhao)
    assert key.prefix in client.get(LIST).content.decode()
    # another district's regulator and an enterprise officer do not
    for outsider in (city.erqi_wang, city.officer_liu):
        client.force_login(outsider)
        assert key.prefix not in client.get(LIST).content.decode()
        assert client.get(f"/staff/apikeys/{key.pk}/revoke/").status_code == 404
        assert client.post(f"/staff/apikeys/{key.pk}/revoke/").status_code == 404
        assert client.get(f"/api/v1/apikeys/{key.pk}").status_code == 404
        assert client.post(f"/api/v1/apikeys/{key.pk}/revoke").status_code == 404
        assert key.pk not in [k["id"] for k in client.get("/api/v1/apikeys").json()["items"]]
    key.refresh_from_db()
    assert key.active
    # a reporter without a staff role has no key pages at all
    client.force_login(city.reporter_wang)
    assert client.get(LIST).status_code == 403
    assert client.get("/api/v1/apikeys").status_code == 403
    # administrators see every key
    client.force_login(city.admin_chen)
    assert key.prefix in client.get(LIST).content.decode()


@pytest.mark.django_db
def test_menu_shows_api_keys_to_staff(city, client):
    client.force_login(city.officer_liu)
    assert 'href="/staff/apikeys/"' in client.get(LIST).content.decode()


@pytest.mark.django_db
def test_api_create_list_revoke_with_session_and_key(city, client):
    client.force_login(city.inspector_li)
    r = client.post("/api/v1/apikeys", json.dumps({"name": "camera platform", "organization_id": city.jinshui_fire.pk}),
                    content_type="application/json")
    assert r.status_code == 201, r.content
    created = r.json()
    raw = created["key"]
    assert raw.startswith("hwk_") and created["active"] and created["organization_id"] == city.jinshui_fire.pk
    bad = client.post("/api/v1/apikeys", json.dumps({"name": "x", "organization_id": city.erqi_fire.pk}),
                      content_type="application/json")
    assert bad.status_code == 400 and "organization_id" in bad.json()["extra"]["fields"]
    assert client.post("/api/v1/apikeys", json.dumps({"name": "", "organization_id": city.jinshui_fire.pk}),
                       content_type="application/json").status_code == 400
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listed = client.get("/api/v1/apikeys", **auth).json()
    assert [k["prefix"] for k in listed["items"]] == [created["prefix"]] and "key" not in listed["items"][0]
    assert listed["next_cursor"] is None
    # with the key: a second key for the same organization (the secret again returned once)
    second = client.post("/api/v1/apikeys", json.dumps({"name": "second", "organization_id": city.jinshui_fire.pk}),
                         content_type="application/json", **auth)
    assert second.status_code == 201
    assert client.get("/api/v1/apikeys", {"state": "bogus"}, **auth).status_code == 400
    r = client.post(f"/api/v1/apikeys/{second.json()['id']}/revoke", **auth)
    assert r.status_code == 200 and r.json()["active"] is False
    revoked = client.get("/api/v1/apikeys", {"state": "revoked"}, **auth).json()["items"]
    assert [k["name"] for k in revoked] == ["second"]
    assert client.get("/api/v1/apikeys").status_code == 401  # no session, no key
