"""Subscriptions: URL validation (SSRF guard), the JSON API, the staff pages and the menu entry."""
import json

import pytest

from hazardwatch.core.models import AuditEntry
from hazardwatch.webhooks.models import Subscription
from hazardwatch.webhooks.urlguard import resolve_target

PUBLIC = "https://93.184.216.34/hooks/hazardwatch"


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def patch_json(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


REFUSED = [
    "http://93.184.216.34/hook",  # plain http to a public host
    "http://127.0.0.1:8000/hook",  # loopback over http (only in DEBUG/tests)
    "https://127.0.0.1/hook",
    "https://localhost/hook",  # resolves to loopback
    "https://[::1]/hook",
    "https://10.0.0.5/hook",
    "https://172.16.3.4/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://0.0.0.0/hook",
    "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped private
    "https://[fd00::1]/hook",
    "https://224.0.0.1/hook",
    "https://user:pw@93.184.216.34/hook",
    "ftp://93.184.216.34/hook",
    "javascript:alert(1)",
    "not a url",
    "https:///nohost",
    "https://93.184.216.34:99999/hook",
    "https://no-such-host.invalid/hook",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", REFUSED)
def test_unsafe_or_invalid_target_urls_are_refused_with_400(client, city, settings, url):
    settings.HAZARDWATCH_WEBHOOK_ALLOW_LOCAL = False
    client.force_login(city.inspector_li)
    resp = post_json(client, "/api/v1/webhooks/subscriptions",
                     {"name": "x", "target_url": url, "event_types": ["opened"]})
    assert resp.status_code == 400, (url, resp.content)
    assert "target_url" in resp.json()["extra"]["fields"]
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_loopback_http_is_allowed_only_when_local_targets_are(city, settings):
    settings.HAZARDWATCH_WEBHOOK_ALLOW_LOCAL = True
    assert resolve_target("http://127.0.0.1:8765/x")[3] == ["127.0.0.1"]
    assert resolve_target("http://localhost:8765/x")[1] == "localhost"
    from hazardwatch.webhooks.urlguard import UnsafeTarget

    with pytest.raises(UnsafeTarget):
        resolve_target("http://10.0.0.1/x")  # only loopback, never other private hosts
    settings.HAZARDWATCH_WEBHOOK_ALLOW_LOCAL = False
    with pytest.raises(UnsafeTarget):
        resolve_target("http://127.0.0.1:8765/x")


@pytest.mark.django_db
def test_subscription_crud_through_the_api(client, city):
    assert client.get("/api/v1/webhooks/subscriptions").status_code == 401
    client.force_login(city.officer_liu)  # an enterprise safety officer manages no webhooks
    assert client.get("/api/v1/webhooks/subscriptions").status_code == 403

    client.force_login(city.inspector_li)
    resp = post_json(client, "/api/v1/webhooks/subscriptions",
                     {"name": "EHS platform", "target_url": PUBLIC, "event_types": ["closed", "opened", "opened"]})
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert created["organization_id"] == city.jinshui_fire.pk and created["secret"].startswith("whsec_")
    assert created["event_types"] == ["opened", "closed"]
    sub_id = created["id"]
    listing = client.get("/api/v1/webhooks/subscriptions").json()
    assert listing["count"] == 1 and listing["items"][0]["secret"] is None and listing["next_cursor"] is None
    assert client.get(f"/api/v1/webhooks/subscriptions/{sub_id}").json()["secret"] == created["secret"]

    resp = patch_json(client, f"/api/v1/webhooks/subscriptions/{sub_id}", {"event_types": ["bogus"]})
    assert resp.status_code == 400 and "event_types" in resp.json()["extra"]["fields"]
    resp = patch_json(client, f"/api/v1/webhooks/subscriptions/{sub_id}",
                      {"is_active": False, "event_types": ["overdue"]})
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    assert resp.json()["event_types"] == ["overdue"]
    # a regulator cannot hand its subscription to another organization
    resp = patch_json(client, f"/api/v1/webhooks/subscriptions/{sub_id}", {"organization_id": city.erqi_fire.pk})
    assert resp.status_code == 403
    rotated = client.post(f"/api/v1/webhooks/subscriptions/{sub_id}/rotate-secret").json()["secret"]
    assert rotated != created["secret"]
    assert client.get(f"/api/v1/webhooks/subscriptions/{sub_id}/deliveries").json() == {
        "count": 0, "items": [], "next_cursor": None}

    client.force_login(city.erqi_wang)  # another district: not found, cannot change or delete
    assert client.get(f"/api/v1/webhooks/subscriptions/{sub_id}").status_code == 404
    assert client.delete(f"/api/v1/webhooks/subscriptions/{sub_id}").status_code == 404
    assert client.get("/api/v1/webhooks/subscriptions").json()["count"] == 0
    client.force_login(city.admin_chen)  # administrators see every subscription
    assert client.get("/api/v1/webhooks/subscriptions").json()["count"] == 1

    client.force_login(city.inspector_li)
    assert client.delete(f"/api/v1/webhooks/subscriptions/{sub_id}").status_code == 204
    assert not Subscription.objects.exists()
    actions = list(AuditEntry.objects.filter(object_type="webhook_subscription").values_list("action", flat=True))
    assert actions == ["webhook.create", "webhook.update", "webhook.rotate_secret", "webhook.delete"]


@pytest.mark.django_db
def test_bad_input_is_4xx_never_5xx(client, city):
    client.force_login(city.inspector_li)
    bad_bodies = [
        {}, {"name": "x"}, {"name": "", "target_url": PUBLIC, "event_types": ["opened"]},
        {"name": "x", "target_url": PUBLIC, "event_types": []},
        {"name": "x", "target_url": PUBLIC, "event_types": "opened"},
        {"name": "x", "target_url": 5, "event_types": ["opened"]},
        {"name": "x", "target_url": PUBLIC, "event_types": ["opened"], "organization_id": 999999},
        {"name": "x" * 101, "target_url": PUBLIC, "event_types": ["opened"]},
        {"name": "a\u0000b", "target_url": PUBLIC, "event_types": ["opened"]},
        {"name": "x", "target_url": "https://exa\u0000mple.com/", "event_types": ["opened"]},
        {"name": "x", "target_url": "https://例子.测试/hook", "event_types": ["opened"]},
        {"name": "x", "target_url": PUBLIC, "event_types": ["opened"], "organization_id": 2**70},
    ]
    for body in bad_bodies:
        resp = post_json(client, "/api/v1/webhooks/subscriptions", body)
        assert 400 <= resp.status_code < 500, (body, resp.status_code)
    resp = client.post("/api/v1/webhooks/subscriptions", data=b"{not json", content_type="application/json")
    assert resp.status_code == 400
    assert client.get("/api/v1/webhooks/deliveries/not-a-uuid").status_code in (400, 404)
    assert client.post("/api/v1/webhooks/deliveries/00000000-0000-0000-0000-000000000000/replay").status_code == 404
    assert client.get("/api/v1/webhooks/subscriptions?cursor=forged").status_code == 400
    assert client.get(f"/api/v1/webhooks/subscriptions/{2**70}").status_code in (400, 404)
    assert client.get(f"/api/v1/webhooks/subscriptions/{2**63 + 1}/deliveries").status_code in (400, 404)
    resp = client.post("/api/v1/webhooks/subscriptions", data=b'{"name": "\\ud800", "target_url": "%s", '
                       b'"event_types": ["opened"]}' % PUBLIC.encode(), content_type="application/json")
    assert resp.status_code == 400, resp.content
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_a_partner_api_key_manages_its_organizations_subscriptions(client, city):
    from hazardwatch.apikeys.services import apikey_create

    _key, raw = apikey_create(name="jinshui EHS", organization=city.jinshui_fire)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    resp = post_json(client, "/api/v1/webhooks/subscriptions",
                     {"name": "EHS", "target_url": PUBLIC, "event_types": ["assigned"]}, **auth)
    assert resp.status_code == 201, resp.content
    assert resp.json()["organization_id"] == city.jinshui_fire.pk
    resp = post_json(client, "/api/v1/webhooks/subscriptions",
                     {"name": "EHS", "target_url": PUBLIC, "event_types": ["assigned"],
                      "organization_id": city.erqi_fire.pk}, **auth)
    assert resp.status_code == 403
    assert client.get("/api/v1/webhooks/subscriptions", **auth).json()["count"] == 1
    entry = AuditEntry.objects.get(action="webhook.create")
    assert entry.actor_label.startswith("apikey:")
    _key, raw_unit = apikey_create(name="enterprise", organization=city.enterprise)
    assert client.get("/api/v1/webhooks/subscriptions",
                      HTTP_AUTHORIZATION=f"Bearer {raw_unit}").status_code in (401, 403)


@pytest.mark.django_db
def test_staff_pages_create_show_secret_edit_and_delete(client, city):
    client.force_login(city.inspector_li)
    page = client.get("/staff/webhooks/")
    assert page.status_code == 200 and b'href="/staff/webhooks/"' in page.content  # the menu entry
    assert client.get("/staff/webhooks/new/").status_code == 200
    resp = client.post("/staff/webhooks/new/", {"name": "12345", "target_url": "http://93.184.216.34/",
                                               "event_types": ["opened"], "is_active": "on"})
    assert resp.status_code == 400 and not Subscription.objects.exists()
    resp = client.post("/staff/webhooks/new/", {"name": "12345 热线平台", "target_url": PUBLIC,
                                               "event_types": ["opened", "closed"], "is_active": "on"})
    assert resp.status_code == 303
    sub = Subscription.objects.get()
    assert sub.organization == city.jinshui_fire and sub.event_types == ["opened", "closed"] and sub.is_active
    detail = client.get(resp["Location"])
    assert detail.status_code == 200 and sub.secret in detail.content.decode()
    resp = client.post(f"/staff/webhooks/{sub.pk}/", {"name": "12345 热线平台", "target_url": PUBLIC,
                                                      "event_types": ["graded"]})
    assert resp.status_code == 303
    sub.refresh_from_db()
    assert sub.event_types == ["graded"] and not sub.is_active
    old = sub.secret
    assert client.post(f"/staff/webhooks/{sub.pk}/rotate-secret/").status_code == 303
    sub.refresh_from_db()
    assert sub.secret != old

    client.force_login(city.erqi_wang)
    assert client.get(f"/staff/webhooks/{sub.pk}/").status_code == 404
    assert client.post(f"/staff/webhooks/{sub.pk}/delete/").status_code == 404
    client.force_login(city.officer_liu)
    assert client.get("/staff/webhooks/").status_code == 403
    assert b'href="/staff/webhooks/"' not in client.get("/staff/").content
    client.force_login(city.inspector_li)
    assert client.post(f"/staff/webhooks/{sub.pk}/delete/").status_code == 303
    assert not Subscription.objects.exists()
    client.logout()
    assert client.get("/staff/webhooks/").status_code == 302
