"""API keys: created by the CLI (printed once, stored hashed), used as `Authorization: Bearer`, scoped to one
organization of the user, refused once revoked or when unknown, and exempt from CSRF (no cookies)."""
import io
import json

import pytest
from django.core.management import call_command

from hazardwatch.accounts.models import Membership
from hazardwatch.apikeys.models import ApiKey
from hazardwatch.cases.models import Case
from hazardwatch.places.models import Division


def _create(*args) -> str:
    out = io.StringIO()
    call_command("apikey", "create", *args, stdout=out)
    return out.getvalue().strip()


def _case(ref, region_code, sector="fire"):
    region = Division.objects.get(code=region_code)
    case = Case(reference=ref, title="t", description="d", status="triaged", sector=sector, region=region,
                region_path=region.path)
    case.set_location(34.78, 113.68)
    case.save()
    return case


@pytest.mark.django_db
def test_cli_key_acts_as_user_within_one_organization(city, client):
    _case("K1", "410105")  # Jinshui
    _case("K2", "410103")  # Erqi
    user = city.inspector_li  # Jinshui fire regulator; also give them Erqi fire
    Membership.objects.create(user=user, organization=city.erqi_fire, role="regulator_staff")
    raw = _create("--name", "ehs sync", "--user", user.username, "--org", str(city.jinshui_fire.pk))
    assert raw.startswith("hwk_")
    key = ApiKey.objects.get()
    assert raw not in (key.key_hash, key.prefix) and key.prefix in raw  # only the hash is stored
    r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    assert {c["reference"] for c in r.json()["items"]} == {"K1"}  # Erqi not visible through this key
    client.force_login(user)  # signed in, the same user sees both
    assert {c["reference"] for c in client.get("/api/v1/cases").json()["items"]} == {"K1", "K2"}


@pytest.mark.django_db
def test_unknown_revoked_and_csrf(city, client):
    case = _case("K3", "410105")
    raw = _create("--name", "bot", "--user", city.inspector_li.username, "--org", str(city.jinshui_fire.pk))
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer hwk_nope_nope").status_code == 401
    assert client.get("/api/v1/cases").status_code == 401  # no key, no session
    csrf_client = type(client)(enforce_csrf_checks=True)
    r = csrf_client.post(f"/api/v1/cases/{case.pk}/transitions", json.dumps({"action": "assign"}),
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code not in (401, 403), r.content  # authenticated without a CSRF token
    out = io.StringIO()
    call_command("apikey", "revoke", ApiKey.objects.get().prefix, stdout=out)
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    call_command("apikey", "list", stdout=out)
    assert "revoked" in out.getvalue()
