"""Schemathesis over the whole OpenAPI schema at /api/v1/openapi.json, in-process through Django's WSGI handler.

Every operation gets a bounded number of generated requests (deterministic: Hypothesis derandomized) three
ways: anonymous, signed in with a session (a regulator leader, CSRF token sent like a browser) and with an API
key (`Authorization: Bearer`). Checks: never a 5xx, the status code is declared for the operation, the content
type is the declared one, and the body matches the declared schema. The examples mix schema-valid input with
schema-invalid input (wrong types, out of range, missing fields), which must be refused with a declared 4xx.
Path ids are swapped for ids of real rows about half of the time, so the generated requests reach past the 404s.

Select with `pytest -m fuzz` (or leave it out with `-m "not fuzz"`); HAZARDWATCH_FUZZ_EXAMPLES sets the examples
per operation and mode, HAZARDWATCH_FUZZ_NEGATIVE=0 keeps to valid input, HAZARDWATCH_FUZZ_SESSION_USER names
another user of the `city` fixture for the session mode (docs/api.md, "Fuzzing").
"""
import datetime as dt
import io
import json
import logging
import os
import time
import traceback
from pathlib import Path

import pytest
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from schemathesis import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("HAZARDWATCH_FUZZ_EXAMPLES", "10"))
NEGATIVE = os.environ.get("HAZARDWATCH_FUZZ_NEGATIVE", "1") == "1"
SCHEMA_PATH = "/api/v1/openapi.json"
QUIZ_BANK = Path(__file__).resolve().parents[2] / "quizzes" / "data" / "starter_bank.yaml"
CSRF = "fuzzcsrftokenfuzzcsrftokenfuzz12"  # 32 characters, sent as cookie and header like a browser does

pytestmark = pytest.mark.django_db


def _keep_connection():
    """Detach Django's close_old_connections from the request signals, as its test client does for each
    request (and reattaches after it, hence called again before every fuzz request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def wsgi_app():
    """Django's real WSGI handler, in this thread (so inside the test transaction). Like Django's test client,
    keep the connection open between requests: closing it would end the test transaction."""
    from django.core.handlers.wsgi import WSGIHandler

    _keep_connection()
    # 4xx warnings by the thousand (5xx tracebacks are collected by the fuzz loop)
    logs = [logging.getLogger(name) for name in ("django.request", "django.security.csrf")]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.CRITICAL)
    try:
        yield WSGIHandler()
    finally:
        for log, level in zip(logs, levels):
            log.setLevel(level)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(city, client):
    """The `city` fixture plus rows of each kind the API names in its paths: cases (through the report
    intake), a risk point, checklist templates and a run, the quiz bank and a daily attempt; and their ids."""
    from django.core.management import call_command
    from django.utils import timezone

    from hazardwatch.accounts.models import Organization
    from hazardwatch.campaigns.models import Campaign
    from hazardwatch.cases.models import Case
    from hazardwatch.checklists.models import ChecklistTemplate
    from hazardwatch.checklists.services import run_answer, run_start, templates_load
    from hazardwatch.insights.stats import CHARTS
    from hazardwatch.quizzes.models import Contest
    from hazardwatch.reports.services import ReportInput, report_submit
    from hazardwatch.risk.geometry import rectangle
    from hazardwatch.risk.services import risk_point_create

    today = timezone.localdate()
    for i, (lat, lon) in enumerate([(34.78, 113.68), (34.781, 113.681), (34.755, 113.656), (34.79, 113.69)]):
        report_submit(ReportInput(description=f"消防通道被杂物堵塞，安全出口上锁 {i}", latitude=lat, longitude=lon,
                                  crs="wgs84", category="escape_route", photos=[], contact_phone="13800138000"))
    point = risk_point_create(actor=city.officer_liu, data={
        "organization_id": city.enterprise.pk, "name": "危化品仓库", "area": "A 区仓库",
        "zone": rectangle(34.78, 113.68, 60, 40), "activity": "油漆、稀释剂储存",
        "hazard_factors": [{"category": "things", "description": "易燃液体泄漏"}],
        "accident_types": ["fire"], "method": "lec", "l": 3, "e": 6, "c": 15, "control_level": "department",
        "measures_engineering": "防爆电气", "measures_emergency": "灭火器", "responsible_person": "刘洋",
        "responsible_department": "仓储部", "review_date": str(today + dt.timedelta(days=365))})
    templates_load()
    template = ChecklistTemplate.objects.order_by("code").first()
    run = run_start(user=None, template_code=template.code)
    items = list(template.items.order_by("position")[:3])
    run_answer(run=run, user=None, answers=[{"item": item.code, "answer": item.hazard_answer} for item in items])
    call_command("quizzes", "import", str(QUIZ_BANK), stdout=io.StringIO())
    client.post("/api/v1/quizzes/profile", {"region": "410105"}, content_type="application/json")
    attempt = client.post("/api/v1/quizzes/daily").json()
    assert "token" in attempt, attempt
    city.quiz_taker = {"hw_quiz_taker": client.cookies["hw_quiz_taker"].value}  # anonymous mode answers as them
    client.cookies.clear()
    office = Organization.objects.create(kind="campaign_office", name="安全生产月活动办公室",
                                         region=city.divisions["410100"])
    campaign = Campaign.objects.create(
        office=office, title="安全生产月", theme="查找身边隐患", starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=20), liaison_due=today + dt.timedelta(days=2),
        summary_due=today + dt.timedelta(days=10), unit_kinds=["enterprise"], reminder_days=3, status="open")
    ids = {"case_id": list(Case.objects.values_list("pk", flat=True)), "point_id": [point.pk],
           "campaign_id": [campaign.pk], "unit_id": [city.enterprise.pk], "chart": list(CHARTS),
           "contest_id": list(Contest.objects.values_list("pk", flat=True)[:3]),
           "code": [template.code], "token": [run.token, attempt.get("token")], "item": [i.code for i in items]}
    city.fuzz_ids = {name: values for name, values in ids.items() if values}
    return city


def _auth(mode, world, client):
    if mode == "anonymous":
        return {"cookies": dict(world.quiz_taker)}
    if mode == "session":
        client.force_login(getattr(world, os.environ.get("HAZARDWATCH_FUZZ_SESSION_USER", "leader_zhao")))
        return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
                "headers": {"X-CSRFToken": CSRF}}
    from hazardwatch.apikeys.services import apikey_create

    _key, raw = apikey_create(name="fuzz", user=world.inspector_li, organization=world.jinshui_fire,
                              created_by=world.admin_chen)
    return {"headers": {"Authorization": f"Bearer {raw}"}}


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzz(schema, auth: dict, ids: dict, *, examples: int = EXAMPLES, only: str | None = None) -> tuple[dict, int, int]:
    """Run every operation (or the one labelled `only`, "GET /api/v1/..."); returns
    ({(operation, problem): details}, operations, requests sent)."""
    checks = _checks()
    failures: dict[tuple[str, str], str] = {}
    sent = 0
    operations = 0
    tracebacks: list[str] = []
    timings: dict[str, float] = {}
    statuses: dict[int, int] = {}

    def on_exception(sender, request=None, **kwargs):
        tracebacks.append(traceback.format_exc())

    got_request_exception.connect(on_exception)
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"
            if only is not None and label != only:
                continue

            strategy = operation.as_strategy(GenerationMode.POSITIVE)
            if NEGATIVE:  # also schema-invalid input (wrong types, out of range, missing fields): must be a 4xx
                strategy = st.one_of(strategy, operation.as_strategy(GenerationMode.NEGATIVE))

            @settings(max_examples=examples, derandomize=True, database=None, deadline=None, print_blob=False,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=strategy, data=st.data())
            def run(case, data):
                nonlocal sent
                for name in list(case.path_parameters or {}):
                    if name in ids and data.draw(st.booleans()):
                        case.path_parameters[name] = data.draw(st.sampled_from(ids[name]))
                tracebacks.clear()
                _keep_connection()
                sent += 1
                try:
                    response = case.call(headers=dict(auth.get("headers", {})),
                                         cookies=dict(auth.get("cookies", {})))
                except Exception as exc:  # the transport itself failed: report, do not stop the run
                    failures.setdefault((label, f"transport {type(exc).__name__}"), f"{exc}")
                    return
                statuses[response.status_code // 100] = statuses.get(response.status_code // 100, 0) + 1
                try:
                    case.validate_response(response, checks=checks)
                except (AssertionError, BaseExceptionGroup) as exc:  # FailureGroup: one or more checks failed
                    titles = sorted({getattr(f, "title", type(f).__name__) for f in getattr(exc, "exceptions", [exc])})
                    key = (label, f"{response.status_code}: {'; '.join(titles)}")
                    detail = str(exc)[:3000]
                    if tracebacks:
                        detail += "\n" + tracebacks[-1][-3000:]
                    if key not in failures:
                        print(f"  FAIL {key[0]}: {key[1]}")
                    failures.setdefault(key, detail)

            operations += 1
            op_started = time.monotonic()
            run()
            timings[label] = time.monotonic() - op_started
    finally:
        got_request_exception.disconnect(on_exception)
        print("  answers by class:", ", ".join(f"{k}xx: {v}" for k, v in sorted(statuses.items())))
        if os.environ.get("HAZARDWATCH_FUZZ_TIMINGS"):
            for label, seconds in sorted(timings.items(), key=lambda kv: -kv[1])[:15]:
                print(f"  {seconds:6.2f}s {label}")
    return failures, operations, sent


@pytest.fixture
def schema(wsgi_app):
    import schemathesis

    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_app)


@pytest.mark.fuzz
@pytest.mark.parametrize("mode", ["anonymous", "session", "apikey"])
def test_schema_fuzz(mode, schema, fuzz_world, client):
    auth = _auth(mode, fuzz_world, client)
    started = time.monotonic()
    failures, operations, sent = fuzz(schema, auth, fuzz_world.fuzz_ids)
    elapsed = time.monotonic() - started
    print(f"\nfuzz[{mode}]: {operations} operations, {sent} requests, {elapsed:.1f}s")
    assert operations >= 90
    report = "\n\n".join(f"== {label}: {problem}\n{detail}" for (label, problem), detail in sorted(failures.items()))
    assert not failures, f"{len(failures)} problems:\n{report}"


@pytest.mark.fuzz
def test_fuzz_reports_a_server_error(schema, db, monkeypatch):
    """The harness itself: a view that crashes is reported (with its traceback), not passed over."""
    from hazardwatch.criteria import api as criteria_api

    def crash(code, edition):
        raise RuntimeError("boom from the fuzz self-test")

    monkeypatch.setattr(criteria_api, "standard_edition", crash)
    failures, operations, sent = fuzz(schema, {}, {}, examples=3,
                                      only="GET /api/v1/criteria/standards/{code}/{edition}")
    assert operations == 1 and sent >= 1
    assert any(problem.startswith("500") for _label, problem in failures), failures
    assert "boom from the fuzz self-test" in "".join(failures.values())


# --- regressions for what the fuzzer found (through HTTP) ---------------------------------------------------

def _openapi(client) -> dict:
    r = client.get(SCHEMA_PATH)
    assert r.status_code == 200
    return r.json()


def test_schema_declares_the_answers_of_authentication_validation_and_lookup(client):
    """Found: every operation behind sign-in answered 401 (anonymous) and, for writes under session auth,
    403 (CSRF) without declaring them; input validation (400) and unknown path objects (404) likewise."""
    paths = _openapi(client)["paths"]
    cases = paths["/api/v1/cases"]["get"]["responses"]
    assert "401" in cases and "401" not in paths["/api/v1/criteria/standards"]["get"]["responses"]
    transitions = paths["/api/v1/cases/{case_id}/transitions"]["post"]["responses"]
    assert {"400", "401", "403", "404"} <= set(transitions)
    assert transitions["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "404" in paths["/api/v1/checklists/templates/{code}"]["get"]["responses"]
    r = client.get("/api/v1/cases")
    assert r.status_code == 401 and set(r.json()) == {"message", "extra"}


def test_checklist_run_errors_are_declared_and_in_the_standard_format(client, db):
    """Found: POST /checklists/runs answered 404 for an unknown template, and the run endpoints 403/409,
    none of them declared."""
    responses = _openapi(client)["paths"]
    assert {"201", "400", "403", "404"} <= set(responses["/api/v1/checklists/runs"]["post"]["responses"])
    assert {"403", "409"} <= set(responses["/api/v1/checklists/runs/{token}/complete"]["post"]["responses"])
    r = client.post("/api/v1/checklists/runs", {"template": "no-such-template"}, content_type="application/json")
    assert r.status_code == 404 and set(r.json()) == {"message", "extra"}


def test_quiz_answer_hot_path_matches_its_documented_operation(schema, wsgi_app, client, divisions):
    """POST /api/v1/quizzes/attempts/{token}/answers is served by the plain view quizzes/fast.py (mounted ahead
    of Ninja); each of its answers — right, wrong, repeated, someone else's, unknown attempt, bad input — must
    match the Ninja operation's declared status codes and schemas."""
    from django.core.management import call_command

    call_command("quizzes", "import", str(QUIZ_BANK), stdout=io.StringIO())
    client.post("/api/v1/quizzes/profile", {"region": "410105"}, content_type="application/json")
    token = client.post("/api/v1/quizzes/daily").json()["token"]
    taker = {"hw_quiz_taker": client.cookies["hw_quiz_taker"].value}
    questions = client.get(f"/api/v1/quizzes/attempts/{token}").json()["questions"]
    operation = schema["/api/v1/quizzes/attempts/{token}/answers"]["POST"]
    first, second = questions[0], questions[1]
    sends = [  # (path token, body, cookies, expected status)
        (token, {"question": first["id"], "choice": [first["options"][0]["key"]]}, taker, 201),
        (token, {"question": first["id"], "choice": [first["options"][0]["key"]]}, taker, 409),
        (token, {"question": second["id"], "choice": ["Z"]}, taker, 400),
        (token, {"question": 2**70, "choice": ["A"]}, taker, 400),
        (token, {"question": second["id"], "choice": [second["options"][0]["key"]]}, {}, 403),
        ("no-such-attempt", {"question": second["id"], "choice": ["A"]}, taker, 404),
        (token, {"question": "1", "choice": "A"}, taker, 400),
        (token, [1, 2], taker, 400),
    ]
    for path_token, body, cookies, expected in sends:
        case = operation.Case(path_parameters={"token": path_token}, body=body, media_type="application/json")
        _keep_connection()
        response = case.call(cookies=cookies)
        assert response.status_code == expected, (body, response.status_code, response.text)
        case.validate_response(response, checks=_checks())
    assert "explanation" in json.loads(client.get(f"/api/v1/quizzes/attempts/{token}").content)["questions"][0]
