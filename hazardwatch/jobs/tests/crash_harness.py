"""Real processes for the crash tests: app servers, a private PostgreSQL, workers, and checks run against them.

Imported by the tests (process control, HTTP clients; no Django needed) and run as a script in subprocesses
that need Django against the test's own database (`python -m hazardwatch.jobs.tests.crash_harness <command>`):

    check MANIFEST          wholeness of every report, acknowledged or not; prints JSON
    finish MANIFEST         re-enqueue lost photo tasks, run the worker, check with derivatives, verify the audit
    worker                  `hazardwatch worker` with a pause planted by HW_CRASH_PAUSE (intake|after|sms)
    open311-batch           post one Open311 batch request (Django test client); prints its token
"""
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
PY = str(BASE_DIR / ".venv" / "bin" / "python") if (BASE_DIR / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
PG_BIN = Path(os.environ.get("HAZARDWATCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
DESCRIPTION = "配电箱电线老化裸露，旁边堆放纸箱"
POINT = (34.78, 113.672)  # Jinshui district, Zhengzhou (WGS-84)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def kill_group(proc) -> None:
    """SIGKILL the process and everything in its process group (gunicorn master and workers, a postmaster
    and its backends): no handler runs, nothing is flushed, like a crash."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


_TEMPLATES: dict = {}


class Site:
    """A temporary var dir (database file or PostgreSQL database, media) and the environment of its processes."""

    def __init__(self, root: Path, database_url: str = ""):
        self.root = Path(root)
        self.var = self.root / "var"
        self.var.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self.procs = []
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "SQLITE_PATH", "MEDIA_ROOT", "REDIS_URL", "TASKS_BACKEND",
                                 "HAZARDWATCH_TEST_DB_NAME", "PYTEST_CURRENT_TEST")}
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "HAZARDWATCH_VAR_DIR": str(self.var),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "HAZARDWATCH_RATE_INTAKE": "0/60", "HAZARDWATCH_RATE_LOOKUP": "0/60",
            "HAZARDWATCH_RATE_REPORTER": "0/60", "HAZARDWATCH_RATE_DEVICE": "0/60",
            "HAZARDWATCH_SMS_BACKEND": "hazardwatch.jobs.tests.crash_harness.FileSMSBackend",
            "HW_CRASH_SMS_LOG": str(self.root / "sms.log"),
            "HAZARDWATCH_WORKER_HEARTBEAT_SECONDS": "0.5", "HAZARDWATCH_WORKER_STALE_SECONDS": "5",
            "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
        })
        if database_url:
            self.env["DATABASE_URL"] = database_url
            self.env["DATABASE_CONN_MAX_AGE"] = "60"

    def run(self, *args, check=True, timeout=180, extra_env=None) -> subprocess.CompletedProcess:
        env = {**self.env, **(extra_env or {})}
        result = subprocess.run([PY, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def manage(self, *args, **kw):
        return self.run("manage.py", *args, **kw)

    def harness(self, *args, **kw):
        return self.run("-m", "hazardwatch.jobs.tests.crash_harness", *args, **kw)

    def prepare(self) -> None:
        """Migrate and load the divisions intake routes by (cases need a region to find a regulator)."""
        self.manage("migrate", "-v0")
        self.manage("load_divisions")

    @classmethod
    def sqlite(cls, root: Path, template_root: Path) -> "Site":
        """A site on SQLite, copied from a migrated template made once per test session (migrating is slow)."""
        template = _TEMPLATES.get(str(template_root))
        if template is None:
            template = cls(template_root)
            template.prepare()
            _TEMPLATES[str(template_root)] = template
        site = cls(root)
        for f in template.var.glob("hazardwatch.sqlite3*"):
            shutil.copy2(f, site.var / f.name)
        return site

    def popen(self, args, log_name: str, extra_env=None):
        log = open(self.root / log_name, "ab")
        proc = subprocess.Popen(args, cwd=BASE_DIR, env={**self.env, **(extra_env or {})}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        """Kill whatever this site started and is still running (a failed test must not leave servers behind)."""
        for proc in self.procs:
            if proc.poll() is None:
                kill_group(proc)

    def sql(self, query: str, params=()) -> list[tuple]:
        """Read the site's database directly (no Django start-up: the tests poll it often)."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url.replace("postgres://", "postgresql://", 1)) as conn:
                return conn.execute(query.replace("?", "%s"), params).fetchall()
        import sqlite3

        conn = sqlite3.connect(self.var / "hazardwatch.sqlite3", timeout=30)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    def worker_state(self, tokens: list[str]) -> dict:
        """Open311 requests by token, report and notification counts, and every task (path, status, workers)."""
        marks = ",".join("?" * len(tokens))
        rows = {t: (st, rep) for t, st, rep in self.sql(
            f"SELECT token, state, report_id FROM open311_open311request WHERE token IN ({marks})", tokens)}
        tasks = self.sql("SELECT task_path, status, worker_ids FROM django_tasks_database_dbtaskresult "
                         "ORDER BY enqueued_at")
        return {
            "requests": {t: {"state": rows[t][0] if t in rows else None, "report": rows[t][1] if t in rows else None}
                         for t in tokens},
            "reports": self.sql("SELECT COUNT(*) FROM reports_report")[0][0],
            "notifications": self.sql("SELECT COUNT(*) FROM cases_notification")[0][0],
            "tasks": [{"path": path.rsplit(".", 1)[-1], "status": status,
                       "workers": len(json.loads(ids) if isinstance(ids, str) else ids)}
                      for path, status, ids in tasks],
        }

    def wait_tasks_done(self, tokens: list[str], timeout: float = 120.0) -> dict:
        """Poll until the requests are processed and no task waits or runs; the final state."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.worker_state(tokens)
            done = all(r["state"] not in (None, "pending") for r in state["requests"].values())
            idle = all(t["status"] not in ("READY", "RUNNING") for t in state["tasks"])
            if (done and idle) or time.monotonic() > deadline:
                return state
            time.sleep(0.3)


class AppServer:
    """gunicorn (2 workers x 4 threads) serving the real WSGI app on a free loopback port."""

    def __init__(self, site: Site):
        self.site = site
        self.port = free_port()
        self.proc = None

    def start(self) -> None:
        self.proc = self.site.popen([GUNICORN, "hazardwatch.jobs.tests.crash_wsgi:application", "--preload",
                                     "-b", f"127.0.0.1:{self.port}", "-w", "2", "--threads", "4", "--timeout", "60"],
                                    "gunicorn.log")
        wait_port(self.port, proc=self.proc)

    def kill(self) -> None:
        kill_group(self.proc)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb in a temp dir, own port, trust auth, fsync on), so SIGKILLing its
    postmaster disturbs nobody. As root the server runs as the `postgres` user (initdb refuses root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="hw-crash-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.proc = None
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")

    @staticmethod
    def available() -> str:
        """'' when usable, else why not."""
        missing = [name for name in ("initdb", "postgres") if not (PG_BIN / name).exists()]
        if missing:
            return f"PostgreSQL binaries missing in {PG_BIN} ({', '.join(missing)}); set HAZARDWATCH_PG_BIN"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser: cannot start PostgreSQL as another user"
        return ""

    def _cmd(self, args):
        return ["runuser", "-u", "postgres", "--", *args] if self.as_root else args

    def init(self) -> None:
        subprocess.run(self._cmd([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                  "-E", "UTF8", "--no-sync"]), check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Start the postmaster; after a kill it first replays its WAL (crash recovery). Retried while the
        backends of the killed postmaster are still exiting (they hold its lock file and shared memory)."""
        deadline = time.monotonic() + 90
        while True:
            log = open(self.dir / "postgres.log", "ab")
            self.proc = subprocess.Popen(self._cmd([
                str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.dir),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on",
                "-c", "max_connections=60"]), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            while self.proc.poll() is None:
                probe = subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port),
                                        "-U", "postgres", "-q"])
                if probe.returncode == 0:
                    return
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start: " + (self.dir / "postgres.log").read_text()[-2000:])
            time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL the postmaster (its backends notice and exit on their own, as after a real crash)."""
        pid_file = self.data / "postmaster.pid"
        pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        kill_group(self.proc)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def createdb(self, name: str) -> str:
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                       check=True, capture_output=True, timeout=60)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- clients ------------------------------------------------------------------------------------------

def jpeg(seed: int) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new("RGB", (96, 72), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    img.putpixel((rnd.randrange(96), rnd.randrange(72)), (rnd.randrange(256), 0, 0))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def _multipart(fields: dict, files: list) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + value.encode() + b"\r\n")
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit(url: str, token: str, photos: list[bytes], timeout: float = 30.0) -> tuple[int, dict]:
    """POST one anonymous report with photos to /api/v1/reports; (status, body) or (0, {}) on a dropped link."""
    import http.client
    from urllib.parse import urlsplit

    data = json.dumps({"description": f"{DESCRIPTION} {token}", "latitude": POINT[0], "longitude": POINT[1],
                       "category": "fire_equipment"}, ensure_ascii=False)
    body, ctype = _multipart({"data": data}, [("photos", f"p{i}.jpg", p) for i, p in enumerate(photos)])
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("POST", "/api/v1/reports", body=body, headers={"Content-Type": ctype})
        resp = conn.getresponse()
        raw = resp.read()
        try:
            return resp.status, json.loads(raw or b"{}")
        except ValueError:
            return resp.status, {}
    except (OSError, http.client.HTTPException):
        return 0, {}
    finally:
        conn.close()


def lookup(url: str, receipt: str) -> int:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("POST", "/api/v1/reports/lookup", body=json.dumps({"receipt_code": receipt}),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


class Burst:
    """`count` submissions from `threads` concurrent clients, each with 1-2 distinct photos; `on_acks(n)` is
    called from the clients as acknowledgements arrive (the test kills something there)."""

    def __init__(self, url: str, count: int, threads: int = 8, seed: int = 0):
        self.url = url
        rnd = random.Random(seed)
        self.sent = {}  # token -> photo bytes (what a client sent, acknowledged or not)
        for i in range(count):
            token = f"crash-{seed}-{i}-{uuid.uuid4().hex[:8]}"
            self.sent[token] = [jpeg(seed * 100003 + i * 7 + k) for k in range(rnd.choice((1, 2)))]
        self.threads = threads
        self.acks = {}  # token -> receipt code (a 201 with a receipt reached the client)
        self.statuses = {}
        self.lock = threading.Lock()
        self.ack_event = threading.Event()
        self.kill_at = None

    def run(self, kill_after: int | None = None, killer=None) -> None:
        """Send everything; when `kill_after` acknowledgements have arrived, `killer()` runs (once)."""
        todo = list(self.sent)
        fired = threading.Event()

        def client():
            while True:
                with self.lock:
                    if not todo:
                        return
                    token = todo.pop()
                status, body = submit(self.url, token, self.sent[token])
                with self.lock:
                    self.statuses[token] = status
                    if status == 201 and body.get("receipt_code"):
                        self.acks[token] = body["receipt_code"]
                    should_kill = (killer is not None and kill_after is not None and not fired.is_set()
                                   and len(self.acks) >= kill_after)
                    if should_kill:
                        fired.set()
                if should_kill:
                    killer()

        workers = [threading.Thread(target=client) for _ in range(self.threads)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()

    def manifest(self, path: Path) -> Path:
        import hashlib

        path.write_text(json.dumps({
            "sent": {token: [hashlib.sha256(p).hexdigest() for p in photos] for token, photos in self.sent.items()},
            "acks": self.acks,
        }))
        return path


def merge_manifests(paths: list[Path], out: Path) -> Path:
    sent, acks = {}, {}
    for p in paths:
        data = json.loads(p.read_text())
        sent.update(data["sent"])
        acks.update(data["acks"])
    out.write_text(json.dumps({"sent": sent, "acks": acks}))
    return out


# --- run inside Django (subprocess commands) --------------------------------------------------------

class FileSMSBackend:
    """Appends each SMS to HW_CRASH_SMS_LOG (fsynced: the effect is on disk before anything else happens);
    with HW_CRASH_PAUSE=sms it then stops, so the test can kill the worker right after the effect."""

    def send(self, phone: str, text: str) -> None:
        with open(os.environ["HW_CRASH_SMS_LOG"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"phone": phone, "text": text}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        _pause("sms")


def _pause(point: str) -> None:
    """Where HW_CRASH_PAUSE names this point: write the marker file, then hang until killed."""
    if os.environ.get("HW_CRASH_PAUSE") != point:
        return
    Path(os.environ["HW_CRASH_MARKER"]).write_text(point)
    time.sleep(600)


def _setup_django():
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def cmd_worker() -> None:
    """`hazardwatch worker --no-schedule` with a pause planted where HW_CRASH_PAUSE says."""
    _setup_django()
    from django.core.management import call_command

    point = os.environ.get("HW_CRASH_PAUSE", "")
    if point == "intake":  # inside the intake transaction of open311_batch_process, before its commit
        from hazardwatch.reports import services as report_services

        original = report_services._report_triage

        def triage(*args, **kwargs):
            result = original(*args, **kwargs)
            _pause("intake")
            return result

        report_services._report_triage = triage
    elif point == "after":  # the task's effect committed, the worker not yet told the queue it succeeded
        from django_tasks_db.models import DBTaskResult

        original_ok = DBTaskResult.set_successful

        def set_successful(self, return_value):
            if self.task_path.endswith("open311_batch_process"):
                _pause("after")
            return original_ok(self, return_value)

        DBTaskResult.set_successful = set_successful
    call_command("worker", "--no-schedule")


def cmd_open311_batch() -> None:
    _setup_django()
    from django.test import Client

    from hazardwatch.apikeys.services import apikey_create

    _key, raw = apikey_create(name=f"crash {uuid.uuid4().hex[:6]}")
    response = Client().post("/open311/v2/requests.json", {
        "api_key": raw, "service_code": "hotline_transfer", "description": f"{DESCRIPTION} {uuid.uuid4().hex[:8]}",
        "phone": "13800138000", "lat": str(POINT[0]), "long": str(POINT[1]),
        "attribute[hazard_kind]": "escape_route", "attribute[ticket_number]": "12345-2026-0001"})
    assert response.status_code == 200, response.content
    print(json.loads(response.content)[0]["token"])


def cmd_check(manifest_path: str, process_photos: bool = False, setup: bool = True) -> None:
    """Every report whole (its receipt and its case's open event in the audit log, the photos its client sent, files that decode),
    every acknowledged receipt present, no photo row without its file; orphan files listed and swept."""
    if setup:
        _setup_django()
    import hashlib

    from django.core.files.storage import default_storage
    from PIL import Image

    from hazardwatch.cases.models import CaseEvent
    from hazardwatch.core.models import AuditEntry
    from hazardwatch.jobs import recovery
    from hazardwatch.reports import services as report_services
    from hazardwatch.reports.models import Report, ReportPhoto

    manifest = json.loads(Path(manifest_path).read_text())
    sent, acks = manifest["sent"], manifest["acks"]
    problems = []
    ack_hashes = {h for t in acks for h in sent[t]}

    def photo_ok(photo, where):
        for field in ("original",) + (("stripped", "thumbnail") if process_photos else ()):
            f = getattr(photo, field)
            if not f.name:
                problems.append(f"{where}: photo {photo.pk} has no {field}")
                continue
            if not default_storage.exists(f.name):
                problems.append(f"{where}: photo {photo.pk} {field} file missing ({f.name})")
                continue
            with default_storage.open(f.name, "rb") as fh:
                data = fh.read()
            if field == "original" and hashlib.sha256(data).hexdigest() != photo.sha256:
                problems.append(f"{where}: photo {photo.pk} original differs from what was sent")
            try:
                Image.open(io.BytesIO(data)).load()
            except Exception as exc:  # any decoder error is a torn file
                problems.append(f"{where}: photo {photo.pk} {field} does not decode: {exc}")

    by_token = {}
    for report in Report.objects.select_related("case"):
        token = report.description.rsplit(" ", 1)[-1]
        if token not in sent:
            continue
        by_token[token] = report
        where = f"report {token}" + (" (acknowledged)" if token in acks else " (not acknowledged)")
        if not AuditEntry.objects.filter(action="report.receive", object_type="report",
                                         object_id=str(report.pk)).exists():
            problems.append(f"{where}: no audit entry for its receipt")
        if report.case is None:  # the triage task was stored with the report, and the worker has run it
            problems.append(f"{where}: no case")
            continue
        if not AuditEntry.objects.filter(action="case.open", object_type="case", object_id=str(report.case_id)).exists():
            problems.append(f"{where}: no audit entry for its case")
        if not CaseEvent.objects.filter(case_id=report.case_id, action="open").exists():
            problems.append(f"{where}: no open event")
        photos = list(ReportPhoto.objects.filter(report=report))
        if sorted(p.sha256 for p in photos) != sorted(sent[token]):
            problems.append(f"{where}: {len(photos)} photos stored, {len(sent[token])} sent")
        for photo in photos:
            photo_ok(photo, where)
    for token, receipt in acks.items():
        try:
            report = report_services.report_by_receipt(receipt)
        except Exception:
            problems.append(f"acknowledged {token}: receipt not found")
            continue
        if by_token.get(token) is None or by_token[token].pk != report.pk:
            problems.append(f"acknowledged {token}: receipt leads to another report")
    for photo in ReportPhoto.objects.exclude(report__in=list(by_token.values())):
        photo_ok(photo, "other report")
    orphans = recovery.media_orphans(min_age=recovery.timedelta(0))
    for name in orphans:
        with default_storage.open(name, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        if digest in ack_hashes:
            problems.append(f"orphan file {name} holds a photo of an acknowledged report")
    deleted = recovery.media_orphans_delete(min_age=recovery.timedelta(0))
    left = recovery.media_orphans(min_age=recovery.timedelta(0))
    if left:
        problems.append(f"orphans left after the sweep: {left}")
    stored = {t for t in by_token}
    print(json.dumps({"problems": problems, "reports": len(by_token), "acknowledged": len(acks),
                      "stored_unacknowledged": len(stored - set(acks)), "orphans_swept": deleted,
                      "photos": ReportPhoto.objects.count()}))


def cmd_finish(manifest_path: str) -> None:
    """After the last crash: what the periodic recovery does for lost photo tasks (without its 15-minute age
    limit), `hazardwatch worker --batch`, then the full check with derivatives and `hazardwatch audit verify`."""
    _setup_django()
    from datetime import timedelta

    from django.core.management import call_command

    from hazardwatch.jobs import recovery

    recovery.photos_requeue_lost(lost_after=timedelta(0))
    call_command("worker", "--batch", "--no-schedule", verbosity=0)
    cmd_check(manifest_path, process_photos=True, setup=False)
    call_command("audit", "verify")  # exits 1 naming the first broken entry


def main(argv: list[str]) -> None:
    command, args = argv[0], argv[1:]
    if command == "check":
        cmd_check(args[0], process_photos="--processed" in args)
    elif command == "worker":
        cmd_worker()
    elif command == "open311-batch":
        cmd_open311_batch()
    elif command == "finish":
        cmd_finish(args[0])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
