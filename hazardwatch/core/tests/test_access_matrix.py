"""Access matrix (issue #8 item 6, DESIGN.md §9): every role of district A, every page and API operation,
district B's object: denied (403/404) and nothing changed; the same role on A's object succeeds where the rule
says it may (the positive control, so a broken fixture fails too).

The list of URLs comes from the URL configuration and the API itself, not from this file: a new page or
operation without a row in access_rules.py fails `test_every_url_has_a_rule`, and a row whose URL is gone fails
`test_every_rule_names_a_url`. See docs/roles.md, "Access matrix test".
"""
import json
import re

import pytest
from django.apps import apps
from django.forms.models import model_to_dict
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from hazardwatch.core.tests import access_rules as R
from hazardwatch.core.tests.access_world import ROLES, build_world

TEST_SETTINGS = dict(
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    HAZARDWATCH_SMS_BACKEND="hazardwatch.integrations.sms.MemorySMSBackend",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    HAZARDWATCH_RATE_INTAKE="100000/60", HAZARDWATCH_RATE_LOOKUP="100000/60",
    HAZARDWATCH_WEBHOOK_ALLOW_LOCAL=True,
    STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
              "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
)
DENIED = (403, 404)
DENIED_ANONYMOUS = (401, 403, 404)  # and a redirect to a sign-in page
DENIED_BODY_REF = (400, 403, 404)  # B's organization named in the body: refused as invalid is fine too
# Rows counted before and after every denied mutation (audit entries excepted: a refusal may be audited).
TRACKED = ["cases.Case", "cases.CaseEvent", "cases.EvidencePhoto", "risk.RiskPoint", "checklists.Inspection",
           "checklists.ChecklistRun", "drills.Drill", "drills.DrillObservation", "drills.DrillPhoto",
           "campaigns.Campaign", "campaigns.Activity", "campaigns.Liaison", "rewards.RewardAssessment",
           "exposure.Publication", "exposure.PublicationPhoto", "webhooks.Subscription", "webhooks.Delivery",
           "apikeys.ApiKey"]


# --- the URLs, from the URL configuration and the API ----------------------------------------------------------

def _route(pattern) -> str:
    """A Django route or regex written with {name} placeholders."""
    text = str(pattern.pattern)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("^", "").replace("$", "")


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + _route(p))
        elif isinstance(p, URLPattern):
            yield "/" + prefix + _route(p), p.callback


def api_operations() -> set[str]:
    """'METHOD /api/v1/path' for every operation of the Ninja API, from its routers (the schema omits a few)."""
    from hazardwatch.api.api import api

    ops = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/api/v1" + ("/" + prefix.strip("/") if prefix.strip("/") else "") + path
            full = re.sub(r"{(?:\w+:)?(\w+)}", r"{\1}", full).replace("//", "/")
            for op in path_view.operations:
                for method in op.methods:
                    ops.add(f"{method} {full}")
    return ops


def site_urls() -> set[str]:
    """Every URL key: API operations, and every other pattern of the URL configuration."""
    keys = api_operations()
    for route, view in _walk(get_resolver()):
        if getattr(view, "__module__", "").startswith("ninja."):
            continue  # one of the operations above
        keys.add(route)
    return keys


def rule_for(key: str) -> R.Rule | None:
    if key in R.RULES:
        return R.RULES[key]
    for prefix, rule in R.RULES.items():
        if prefix.endswith("*") and key.startswith(prefix[:-1]):
            return rule
    return None


def test_every_url_has_a_rule():
    missing = sorted(k for k in site_urls() if rule_for(k) is None)
    assert not missing, (
        "These URLs have no access rule. Add a row for each to RULES in hazardwatch/core/tests/access_rules.py "
        "(API operations in API, pages in PAGES; see docs/roles.md, 'Access matrix test'):\n  " + "\n  ".join(missing))


def test_every_rule_names_a_url():
    keys = site_urls()
    stale = sorted(k for k in R.RULES
                   if not (k in keys or (k.endswith("*") and any(x.startswith(k[:-1]) for x in keys))))
    assert not stale, "Rules for URLs that no longer exist; remove them from access_rules.py:\n  " + "\n  ".join(stale)


def test_every_page_rule_lists_its_methods_and_object_rules_name_objects():
    for key, rule in R.RULES.items():
        if key.split(" ")[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
            assert rule.methods == (key.split(" ")[0],) or rule.kind in (R.PUBLIC, R.NOT_APPLICABLE), key
        if rule.kind == R.OBJECT:
            refs = [v for v in [*rule.args.values(), *rule.query.values()] if str(v).startswith("@")]
            assert refs or rule.body, f"{key}: an object rule names no object (args, query or body)"
        if rule.kind in (R.PUBLIC, R.NOT_APPLICABLE, R.TOKEN, R.ADMIN_ONLY):
            assert rule.reason, f"{key}: say why it is {rule.kind}"


# --- the world ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both districts, built once per module inside a transaction rolled back at the end; each test runs in a
    savepoint inside it (pytest-django's `db`), so mutations of one test never reach the next."""
    from django.db import transaction

    media = tmp_path_factory.mktemp("access-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, **TEST_SETTINGS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                w = build_world(media)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def w(world, db, settings):
    """The world, with this test's settings pointing at its media (the root conftest sets a per-test one)."""
    settings.MEDIA_ROOT = world.media_root
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)
    return world


def resolve(side, value):
    """'@case' -> side.case.pk; '@region.code' -> side.region.code; '=note' -> 'note'; anything else as is."""
    if isinstance(value, dict):
        return {k: resolve(side, v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(side, v) for v in value]
    if not isinstance(value, str):
        return value
    if value == "@@jpeg":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from hazardwatch.core.tests.access_world import jpeg

        return SimpleUploadedFile("matrix.jpg", jpeg(), "image/jpeg")
    if value == "@@month":
        from django.utils import timezone

        return timezone.localdate().strftime("%Y-%m")
    if value.startswith("="):
        return value[1:]
    if not value.startswith("@"):
        return value
    name, *attrs = value[1:].split(".")
    obj = getattr(side, name)
    if attrs:
        for a in attrs:
            obj = getattr(obj, a)
        return obj
    return getattr(obj, "pk", obj)


def build_url(key, rule, side) -> str:
    path = key.split(" ", 1)[-1]
    args = {k: resolve(side, v) for k, v in rule.args.items()}
    return re.sub(r"{(\w+)}", lambda m: str(args[m.group(1)]), path)


def request(client, key, rule, side, method, query_side=None):
    url = build_url(key, rule, side)
    query = resolve(query_side or side, rule.query)
    body = resolve(side, rule.body) if rule.body is not None else None
    m = method.lower()
    if m == "get":
        return client.get(url, query)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    is_api = key.split(" ")[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    if is_api and not rule.multipart:
        return getattr(client, m)(url, json.dumps(body if body is not None else {}), content_type="application/json")
    return getattr(client, m)(url, body or {})


def snapshot(side) -> dict:
    """Row counts of the tracked tables and every field of every object of the side."""
    state = {label: apps.get_model(label).objects.count() for label in TRACKED}
    for name, o in side.objs.items():
        if hasattr(o, "_meta") and hasattr(o, "pk"):
            fresh = type(o)._default_manager.filter(pk=o.pk).first()
            state[name] = model_to_dict(fresh) if fresh is not None else None
    return state


def _login(client, w, role):
    client.logout()
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    if role == "api_key":  # honoured on /api/ and /open311/ only; elsewhere the request is anonymous
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {w.A.apikey_secret}"
    user = w.user(role)
    if user is not None:
        client.force_login(user)


def _is_login_redirect(resp) -> bool:
    return resp.status_code == 302 and "login" in resp.get("Location", "")


def is_denied(resp, role, rule) -> bool:
    signed_out = role in ("anonymous", "api_key")
    denied = DENIED_ANONYMOUS if signed_out else DENIED
    if not rule.args and rule.body:
        denied = tuple(sorted(set(denied) | set(DENIED_BODY_REF)))
    denied = tuple(denied) + rule.denied
    return resp.status_code in denied or (signed_out and _is_login_redirect(resp))


# --- the matrix -----------------------------------------------------------------------------------------------------

OBJECT_CASES = [(key, method, role) for key, rule in sorted(R.RULES.items()) if rule.kind == R.OBJECT
                for method in rule.methods for role in ROLES]
# a role that may not use a list and has nothing to look for in it checks nothing: left out to save time
SCOPED_CASES = [(key, method, role) for key, rule in sorted(R.RULES.items()) if rule.kind == R.SCOPED
                for method in rule.methods for role in ROLES
                if rule.hides or role in rule.allowed or role in ("anonymous", "api_key")]


@pytest.mark.parametrize(("key", "method", "role"), OBJECT_CASES, ids=[f"{r}|{m} {k}" for k, m, r in OBJECT_CASES])
def test_other_jurisdictions_object_is_denied(client, w, key, method, role):
    rule = R.RULES[key]
    _login(client, w, role)
    before = snapshot(w.B)
    resp = request(client, key, rule, w.B, method)
    assert is_denied(resp, role, rule), \
        f"LEAK: {role} of district A got {resp.status_code} for district B's object: {method} " \
        f"{build_url(key, rule, w.B)}\n{resp.content[:300]!r}"
    if method != "GET":
        assert snapshot(w.B) == before, f"{role}: {method} {key} was refused but changed district B's data"


OWN_CASES = [(k, m, r) for k, rule in sorted(R.RULES.items()) if rule.kind == R.OBJECT for m in rule.methods
             for r in sorted(rule.allowed | ({"admin"} if rule.admin_ok else set()))]


@pytest.mark.parametrize(("key", "method", "role"), OWN_CASES, ids=[f"{r}|{m} {k}" for k, m, r in OWN_CASES])
def test_own_jurisdictions_object_is_allowed(client, w, key, method, role):
    """The positive control: the same request on district A's object succeeds for the roles the rule allows."""
    rule = R.RULES[key]
    _login(client, w, role)
    resp = request(client, key, rule, w.A, method)
    assert resp.status_code in rule.ok and not _is_login_redirect(resp), \
        f"{role} got {resp.status_code} on its own district's object: {method} {build_url(key, rule, w.A)}\n" \
        f"{resp.content[:300]!r}"


def _markers(side, rule) -> list[str]:
    out = []
    for ref in rule.hides:
        value = str(resolve(side, ref))
        out += [value, json.dumps(value)[1:-1]]
    return out


@pytest.mark.parametrize(("key", "method", "role"), SCOPED_CASES, ids=[f"{r}|{m} {k}" for k, m, r in SCOPED_CASES])
def test_scoped_answers_hold_nothing_of_another_jurisdiction(client, w, key, method, role):
    """Lists and dashboards: anonymous users are refused; a role that may use it gets it; no answer contains
    district B's objects (`hides`)."""
    rule = R.RULES[key]
    _login(client, w, role)
    resp = request(client, key, rule, w.A, method, query_side=w.B if rule.probe else w.A)
    if role == "anonymous" or (role == "api_key" and not key.startswith(("GET /api/", "POST /api/"))):
        assert resp.status_code in DENIED_ANONYMOUS or _is_login_redirect(resp), (key, resp.status_code)
        return
    if role in rule.allowed:
        assert resp.status_code in rule.ok, f"{role} may use {method} {key} but got {resp.status_code}"
    body = resp.content.decode("utf-8", "replace") if not getattr(resp, "streaming", False) else \
        b"".join(resp.streaming_content).decode("utf-8", "replace")
    for marker in _markers(w.B, rule):
        assert marker not in body, f"LEAK: {role} of district A sees district B's {marker!r} in {method} {key}"
    if rule.hides and role in rule.allowed and not rule.probe and resp.status_code == 200:
        # the markers would show: A's own objects are listed
        own = _markers(w.A, rule)
        assert any(m in body for m in own), f"{role}: {key} lists none of district A's own objects {own[::2]}"


@pytest.mark.parametrize("role", ["regulator_staff", "regulator_leader", "safety_officer", "campaign_office"])
def test_admin_site_is_for_django_staff_only(client, w, role):
    _login(client, w, role)
    resp = client.get("/admin/")
    assert _is_login_redirect(resp), resp.status_code
    _login(client, w, "admin")
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(("key", "method"), [(k, m) for k, rule in sorted(R.RULES.items()) if rule.kind == R.TOKEN
                                             for m in rule.methods if "{token}" in k])
def test_a_guessed_token_finds_nothing(client, w, key, method):
    rule = R.RULES[key]
    url = re.sub(r"{(\w+)}", lambda m: "x" * 22 if m.group(1) == "token" else "q1", key.split(" ", 1)[-1])
    _login(client, w, "regulator_staff")
    resp = getattr(client, method.lower())(url, **({"content_type": "application/json", "data": "{}"}
                                                   if method != "GET" and key.startswith(("GET", "POST")) else {}))
    assert resp.status_code in (400, 404), (key, resp.status_code, rule.reason)


def test_the_matrix_catches_a_leak(client, w, monkeypatch):
    """The test can fail: with the one visibility method broken (every case visible), the matrix's own check
    reports district B's case as a leak on the API and on the workbench."""
    from hazardwatch.cases.models import CaseQuerySet

    _login(client, w, "regulator_staff")
    for key in ("GET /api/v1/cases/{case_id}", "/staff/cases/{case_id}/"):
        assert is_denied(request(client, key, R.RULES[key], w.B, "GET"), "regulator_staff", R.RULES[key])
    monkeypatch.setattr(CaseQuerySet, "visible_to", lambda self, user: self.all())
    for key in ("GET /api/v1/cases/{case_id}", "/staff/cases/{case_id}/"):
        resp = request(client, key, R.RULES[key], w.B, "GET")
        assert not is_denied(resp, "regulator_staff", R.RULES[key]), (key, resp.status_code)


def test_statistics_count_only_the_own_district(client, w):
    """Counts carry no reference to look for, so compare them: district A's staff count A's three cases (its
    enterprise's officer the two assigned to it), the administrator both districts' six."""
    totals = {}
    for role in ("regulator_staff", "safety_officer", "admin"):
        _login(client, w, role)
        resp = client.get("/api/v1/stats/summary")
        assert resp.status_code == 200, (role, resp.content[:200])
        totals[role] = resp.json()["kpi"]["total"]
    assert totals == {"regulator_staff": 3, "safety_officer": 2, "admin": 6}, totals


def test_the_api_key_role_is_really_signed_in(client, w):
    """The api_key rows mean something only if the key authenticates: A's case answers 200, B's 404."""
    _login(client, w, "api_key")
    assert client.get(f"/api/v1/cases/{w.A.case.pk}").status_code == 200
    assert client.get(f"/api/v1/cases/{w.B.case.pk}").status_code == 404
