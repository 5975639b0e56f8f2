"""Structured logs: one JSON line per request with its id, and no client address or query string."""
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hazardwatch.core.logging import JsonFormatter, RequestIdFilter

CLIENT_IP = "203.0.113.77"
PHONE = "13812345678"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def json_log():
    """Capture what the production handler writes (the formatter and filter LOGGING installs), as parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root, request_logger = logging.getLogger(), logging.getLogger("hazardwatch.request")
    old_level = request_logger.level
    root.addHandler(handler)
    request_logger.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        request_logger.setLevel(old_level)


@pytest.mark.django_db
def test_request_line_has_fields_and_no_ip_or_query_string(client, json_log):
    resp = client.get(f"/no-such-page/?phone={PHONE}&receipt_code=HW-SECRET", REMOTE_ADDR=CLIENT_IP,
                      HTTP_X_FORWARDED_FOR=CLIENT_IP, HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert resp.status_code == 404
    assert resp["X-Request-ID"] == "lb-0123456789abcdef"
    lines = json_log()
    request_lines = [r for r in lines if r["logger"] == "hazardwatch.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["method"] == "GET" and line["path"] == "/no-such-page/" and line["status"] == 404
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["ts"].endswith("+00:00")
    # Django's own "Not Found" warning carries the request object: it must not leak through.
    assert any(r["logger"] == "django.request" for r in lines)
    assert all(r["request_id"] == "lb-0123456789abcdef" for r in lines), lines
    text = "\n".join(json.dumps(r) for r in lines)
    for secret in (CLIENT_IP, PHONE, "HW-SECRET", "receipt_code", "?"):
        assert secret not in text


@pytest.mark.parametrize("header", ["short", "x" * 200, "abc def 123456789", "id\nforged log line", "../../etc"])
def test_malformed_request_ids_are_replaced(client, json_log, header):
    resp = client.get("/healthz", HTTP_X_REQUEST_ID=header)
    new_id = resp["X-Request-ID"]
    assert new_id != header and len(new_id) == 32 and int(new_id, 16) >= 0
    assert [r["request_id"] for r in json_log() if r["logger"] == "hazardwatch.request"] == [new_id]


def test_each_request_gets_its_own_id(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


@pytest.mark.django_db
def test_tokens_in_urls_are_logged_as_the_route_pattern(client, json_log):
    client.get("/quiz/a/SECRETTOKEN0123456789/")
    paths = [r["path"] for r in json_log() if r["logger"] == "hazardwatch.request"]
    assert paths == ["/quiz/a/<str:token>/"]


def test_formatter_keeps_scalar_extras_and_drops_objects_and_personal_fields():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hello %s", ("世界",), None)
    record.request = object()
    record.status_code = 400
    record.ip = CLIENT_IP
    record.phone = PHONE
    out = json.loads(JsonFormatter().format(record))
    assert out["message"] == "hello 世界" and out["status_code"] == 400
    assert "request" not in out and "ip" not in out and "phone" not in out


def test_json_mode_from_the_environment_writes_json_lines_without_the_ip():
    """The real settings with HAZARDWATCH_LOG_FORMAT=json, in a fresh process: stderr is parsed as JSON."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"r = Client().post('/healthz?phone={PHONE}', REMOTE_ADDR='{CLIENT_IP}')\n"
        "print(r.status_code, r['X-Request-ID'])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "HAZARDWATCH_LOG_FORMAT": "json",
           "LOG_LEVEL": "INFO"}
    env.pop("HAZARDWATCH_TASKS", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    status, request_id = done.stdout.split()
    assert status == "405"
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    request_lines = [r for r in lines if r["logger"] == "hazardwatch.request"]
    assert request_lines and request_lines[0]["path"] == "/healthz" and request_lines[0]["status"] == 405
    assert all(r["request_id"] == request_id for r in lines if r["logger"].startswith(("django", "hazardwatch")))
    assert CLIENT_IP not in done.stderr and PHONE not in done.stderr
