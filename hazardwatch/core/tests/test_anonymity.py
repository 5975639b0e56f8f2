"""Anonymity leak test (docs/privacy.md): after anonymous submissions through the web form, the API and Open311, the
submitter's IP address (and the one a proxy put in X-Forwarded-For) and the plaintext receipt codes appear
nowhere the platform writes: any table (raw SQL over every table, and `dumpdata`), the logs of the whole run
at DEBUG, task payloads (run by the worker), audit entries, the cache, media file names and contents, and a
`hazardwatch backup` archive (every member read). Unkeyed SHA-256 or MD5 of the address or the code must not
appear either: the platform's hashes are keyed.

A canary (a distinctive word in the report's description) must be found in the same places, so that the
search cannot pass by looking at nothing.
"""
import gzip
import hashlib
import io
import json
import logging
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from hazardwatch.core.logging import JsonFormatter
from hazardwatch.core.tests import hostile

pytestmark = pytest.mark.django_db(transaction=True)

IP = "203.0.113.77"
FORWARDED = "198.51.100.23"
CANARY = "CANARY-ANON-5d1e"
SITE = {"latitude": "34.78", "longitude": "113.672"}  # 金水区, Zhengzhou
RECEIPT_SHOWN_RE = re.compile(r'id="receipt-code">\s*([0-9A-Z-]+)\s*<')
CLIENT = {"REMOTE_ADDR": IP, "HTTP_X_FORWARDED_FOR": f"{FORWARDED}, {IP}", "HTTP_X_REAL_IP": FORWARDED,
          "HTTP_USER_AGENT": f"Mozilla/5.0 (from {IP})"}


class _Capture(logging.Handler):
    """Every record, formatted both ways the platform writes logs (plain text and production JSON)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.plain = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.json = JsonFormatter()

    def emit(self, record):
        self.lines.append(self.plain.format(record))
        self.lines.append(self.json.format(record))


@pytest.fixture
def captured_logs():
    root = logging.getLogger()
    handler, level = _Capture(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet = {name: logging.getLogger(name).level for name in ("hazardwatch.request", "django.server")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.DEBUG)  # the per-request line as production writes it
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)
    for name, lvl in quiet.items():
        logging.getLogger(name).setLevel(lvl)


def _needles(receipts: list[str]) -> dict[str, bytes]:
    """Every form of a secret that must not be stored: as sent, normalized, and unkeyed hashes of them
    (hex, upper or lower case: the search ignores case)."""
    out = {}
    for label, value in [("ip", IP), ("forwarded ip", FORWARDED)] + [(f"receipt {r}", r) for r in receipts]:
        forms = {value, value.replace("-", "")}
        for form in forms:
            out[f"{label} {form}"] = form.encode()
            # The first 16 hex digits: stored hashes are often cut short (rate-limit keys keep 32).
            out[f"{label} sha256({form})"] = hashlib.sha256(form.encode()).hexdigest()[:16].encode()
            out[f"{label} md5({form})"] = hashlib.md5(form.encode()).hexdigest()[:16].encode()  # noqa: S324
    return out


def _found(haystack: bytes, needles: dict[str, bytes]) -> list[str]:
    low = haystack.lower()
    return [label for label, needle in needles.items() if needle.lower() in low]


# --- the places to search -----------------------------------------------------------------------------------

def _raw_tables() -> bytes:
    """Every value of every table, through raw SQL (what a database dump holds)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the DB
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        parts.append(bytes(value))
                    elif value is not None:
                        parts.append(str(value).encode())
    return b"\n".join(parts)


def _dumpdata() -> bytes:
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=out, verbosity=0)
    return out.getvalue().encode()


def _media(settings) -> tuple[bytes, bytes]:
    root = Path(settings.MEDIA_ROOT)
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return "\n".join(str(p.relative_to(root)) for p in files).encode(), b"\n".join(p.read_bytes() for p in files)


def _cache() -> bytes:
    from django.core.cache import cache

    store = getattr(cache, "_cache", {})  # LocMemCache in tests; Redis keys are built the same way
    return "\n".join(f"{k} {v!r}" for k, v in store.items()).encode()


def _pg_dump_as_sql(data: bytes, work: Path) -> bytes:
    """A pg_dump custom-format archive compresses table data: pg_restore turns it back into plain SQL."""
    dump = work / "member.pgdump"
    dump.write_bytes(data)
    return subprocess.run([shutil.which("pg_restore"), "--file=-", str(dump)], check=True, capture_output=True,
                          timeout=120).stdout


def _archive(path: Path) -> bytes:
    """Every member of the backup archive, decompressed, as bytes (a SQLite file is searched page by page, a
    PostgreSQL dump as the SQL it restores)."""
    parts = []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            parts.append(member.name.encode())
            if member.isfile():
                data = tar.extractfile(member).read()
                if data[:2] == b"\x1f\x8b":
                    data = gzip.decompress(data)
                if data[:5] == b"PGDMP":
                    data += _pg_dump_as_sql(data, path.parent)
                parts.append(data)
    return b"\n".join(parts)


# --- the submissions ----------------------------------------------------------------------------------------

def _submit_web(client) -> str:
    photo = SimpleUploadedFile("IMG_0001.jpg", hostile.by_key("jpeg-gps-exif").data, content_type="image/jpeg")
    response = client.post("/report/", {
        "description": f"楼道里停着三辆电动车在充电，安全出口被堵住了 {CANARY}", "category": "ebike_charging",
        "place_type": "residential", "address": "金水区某小区 3 号楼", **SITE, "crs": "wgs84", "photos": [photo],
    }, **CLIENT)
    assert response.status_code == 303, response.content[:500]
    done = client.get(response["Location"], **CLIENT)
    return RECEIPT_SHOWN_RE.search(done.content.decode()).group(1)


def _submit_api(client) -> str:
    body = {"description": f"小区地下车库消防通道被杂物堵塞 {CANARY}", "latitude": 34.781, "longitude": 113.673,
            "category": "escape_route", "place_type": "residential"}
    photo = SimpleUploadedFile("p.jpg", hostile.by_key("jpeg-plus-php").data, content_type="image/jpeg")
    response = client.post("/api/v1/reports", {"data": json.dumps(body, ensure_ascii=False), "photos": [photo]},
                           **CLIENT)
    assert response.status_code == 201, response.content[:500]
    return response.json()["receipt_code"]


def _submit_open311(client) -> None:
    """A partner's Open311 client relaying an anonymous report, directly and through the batch (worker) service."""
    from hazardwatch.apikeys.services import apikey_create

    key = apikey_create(name="civic client")[1]
    base = {"api_key": key, "lat": "34.782", "long": "113.674", "description": f"燃气管道漏气 {CANARY}"}
    direct = client.post("/open311/v2/requests.json", {**base, "service_code": "gas",
                                                       "media": SimpleUploadedFile("m.jpg", hostile.by_key(
                                                           "jpeg-gps-exif").data, content_type="image/jpeg")},
                         **CLIENT)
    assert direct.status_code == 200, direct.content[:500]
    batch = client.post("/open311/v2/requests.json", {**base, "service_code": "hotline_transfer",
                                                      "attribute[hazard_kind]": "escape_route",
                                                      "attribute[ticket_number]": "12345-2026-0001"}, **CLIENT)
    assert batch.status_code == 200, batch.content[:500]


def _follow_up(client, receipts: list[str]) -> None:
    """What an anonymous reporter does next: look the case and a reward up with the code, on the page and
    through the API."""
    for code in receipts:
        assert client.post("/api/v1/reports/lookup", json.dumps({"receipt_code": code}),
                           content_type="application/json", **CLIENT).status_code == 200
        assert client.post("/status/", {"receipt_code": code.lower().replace("-", " ")}, **CLIENT).status_code == 200
        client.post("/api/v1/reports/lookup", json.dumps({"receipt_code": code[:-1] + "?"}),
                    content_type="application/json", **CLIENT)  # a mistyped code: refused, and not logged either
        reward = client.post("/api/v1/rewards/claims/lookup", json.dumps({"receipt_code": code}),
                             content_type="application/json", **CLIENT)
        assert reward.status_code == 404  # no reward for an open case; the code is looked up all the same


def test_ip_and_receipt_codes_appear_nowhere(city, client, settings, tmp_path, captured_logs):
    from django_tasks_db.models import DBTaskResult

    from hazardwatch.core.models import AuditEntry
    from hazardwatch.reports.models import Report

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receipts = [_submit_web(client), _submit_api(client)]
    _submit_open311(client)
    _follow_up(client, receipts)
    call_command("worker", "--batch", "--no-schedule")  # the photo tasks run, as in production
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)

    assert Report.objects.filter(is_anonymous=True).count() == 4  # form, API, Open311 direct and batch
    with_photos = Report.objects.filter(photos__isnull=False).distinct()
    assert with_photos.count() == 3 and all(r.photos.exclude(stripped="").count() == 1 for r in with_photos)
    tasks = list(DBTaskResult.objects.all())
    assert tasks, "no task was enqueued: the payload check would be empty"
    assert AuditEntry.objects.exists()

    needles = _needles(receipts)
    names, contents = _media(settings)
    places = {
        "database (raw SQL, every table)": _raw_tables(),
        "dumpdata": _dumpdata(),
        "logs": "\n".join(captured_logs.lines).encode(),
        "task payloads": "\n".join(f"{t.task_path} {t.args_kwargs!r} {t.return_value!r}" for t in tasks).encode(),
        "audit entries": "\n".join(repr(vars(e)) for e in AuditEntry.objects.all()).encode(),
        "cache": _cache(),
        "media file names": names,
        "media contents": contents,
        "backup archive": _archive(archive),
    }
    for place in ("database (raw SQL, every table)", "dumpdata", "backup archive"):
        assert CANARY.encode() in places[place], f"the search of {place} looks at nothing"
    assert any("/api/v1/reports" in line for line in captured_logs.lines), "no request was logged"
    leaks = {place: found for place, data in places.items() if (found := _found(data, needles))}
    assert not leaks, f"leaked: {leaks}"
    # The photos' EXIF (camera make with a marker, GPS) is not logged either, even at DEBUG (Pillow would).
    assert not _found(places["logs"], {"photo EXIF": hostile.MARKER}), "photo metadata in the logs"
