"""`hazardwatch bench intake`: report intake throughput next to a bare insert-one-row endpoint, on the same
gunicorn server and database, in the same run; intake latency at half that load; app and worker memory.

Per backend (SQLite file under var/bench/intake/, PostgreSQL database hazardwatch_bench_intake):
1. prepare the bench database (migrate, divisions, the bench table of jobs/bench_urls.py) in a subprocess;
2. start gunicorn with config/gunicorn.conf.py (HAZARDWATCH_BENCH=1 mounts POST /bench/insert; rate limits
   off) and the task worker;
3. warm up, then alternate rounds of the bare endpoint and of real anonymous submissions to
   POST /api/v1/reports (JSON, no photo: DESIGN.md §8; texts from tests/data/criteria_eval.jsonl, points
   spread over Zhengzhou), each from N keep-alive clients (jobs/loadgen.py) for S seconds;
4. intake at half the median intake rate, open loop, for p50/p95/p99;
5. a few reports with a 12 MP photo, and the worker making their derivatives, so that the RSS figures include
   the heaviest thing each process does;
6. stop everything, then check in a fresh process that every acknowledged receipt (201 with a receipt code)
   is in the database, and that the bench table holds one row per acknowledged bare insert.
Durable acknowledgements: SQLite runs with synchronous=FULL, PostgreSQL with synchronous_commit on (checked).
"""
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

from hazardwatch.jobs import loadgen

TARGET_RATIO = 0.5
TARGET_RSS_MB = 300
WORKER_NICE = 10
POSTGRES_DB = "hazardwatch_bench_intake"
TEXTS = Path(settings.BASE_DIR) / "tests" / "data" / "criteria_eval.jsonl"
CATEGORIES = ["", "escape_route", "fire_equipment", "ebike_charging", "gas", "electrical", "construction"]
ZHENGZHOU = (34.68, 113.55, 34.86, 113.80)  # south, west, north, east (WGS-84)


# --- environments and processes -------------------------------------------------------------------------

def backend_env(var_dir: Path, database_url: str = "") -> dict:
    """The environment of every process of one bench backend: its own var dir (SQLite file, media), the bench
    endpoint on, rate limits off, tasks in the database, no Redis (nothing shared with a running demo)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SQLITE_PATH", "MEDIA_ROOT", "REDIS_URL", "HAZARDWATCH_TASKS", "TASKS_BACKEND",
                        "HAZARDWATCH_TEST_DB_NAME", "PYTEST_CURRENT_TEST", "HAZARDWATCH_LOG_FORMAT")
           and not k.startswith("GUNICORN_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "HAZARDWATCH_VAR_DIR": str(var_dir), "DJANGO_DEBUG": "0",
        "HAZARDWATCH_BENCH": "1", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
        "HAZARDWATCH_RATE_INTAKE": "0/60", "HAZARDWATCH_RATE_REPORTER": "0/60", "HAZARDWATCH_RATE_DUPLICATES": "0/60",
        "HAZARDWATCH_RATE_LOOKUP": "0/60", "HAZARDWATCH_RATE_DEVICE": "0/60",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def postgres_url(base_url: str, name: str = POSTGRES_DB, out=None) -> str | None:
    """URL of the bench database on the server of `base_url` (created if missing), or None when unreachable."""
    try:
        import psycopg

        with psycopg.connect(base_url.replace("postgres://", "postgresql://", 1), connect_timeout=3,
                             autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - no server: the PostgreSQL column stays empty
        if out is not None:
            out.write(f"PostgreSQL not reachable ({exc.__class__.__name__}): skipped")
        return None
    return base_url.rsplit("/", 1)[0] + "/" + name


def _manage(env: dict, *args, timeout: float = 900) -> dict:
    """Run `manage.py bench <args>` in the backend's environment; the JSON after its RESULT marker."""
    proc = subprocess.run([sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", *args],
                          cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode or "RESULT " not in proc.stdout:
        raise RuntimeError(f"bench {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.rsplit("RESULT ", 1)[1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict, args: list, log: Path, nice: int = 0) -> subprocess.Popen:
    with open(log, "ab") as fh:
        return subprocess.Popen(args, cwd=settings.BASE_DIR, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=(lambda: os.nice(nice)) if nice else None)


def _stop(proc: subprocess.Popen | None) -> None:
    """SIGTERM (gunicorn lets requests in flight finish, the worker its task), SIGKILL after 30 s."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


# --- requests -------------------------------------------------------------------------------------------

def _report_bodies(n: int, seed: int = 8) -> list[bytes]:
    """n anonymous report bodies: real texts from the matching evaluation set, points spread over the city."""
    rng = random.Random(seed)
    texts = [json.loads(line)["text"] for line in TEXTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    s, w, north, e = ZHENGZHOU
    bodies = []
    for i in range(n):
        body = {"description": texts[i % len(texts)], "latitude": round(rng.uniform(s, north), 6),
                "longitude": round(rng.uniform(w, e), 6)}
        category = rng.choice(CATEGORIES)
        if category:
            body["category"] = category
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


def _multipart(data: bytes, photo: bytes) -> tuple[bytes, str]:
    boundary = "hwbench" + "7" * 20
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'.encode() + data + b"\r\n"
            + f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
              f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n" + f"--{boundary}--\r\n".encode())
    return body, f"multipart/form-data; boundary={boundary}"


class Receipts:
    """Collects the receipt codes of acknowledged submissions (201 with a receipt) from the responses."""

    def __init__(self):
        self.codes: list[str] = []

    def __call__(self, status: int, body: bytes) -> None:
        if status == 201:
            try:
                code = json.loads(body).get("receipt_code")
            except ValueError:
                code = None
            if code:
                self.codes.append(code)


# --- one backend ----------------------------------------------------------------------------------------

def run_backend(name: str, env: dict, out, *, clients: int = 32, seconds: float = 8.0, rounds: int = 3,
                warmup: float = 5.0, latency_seconds: float = 10.0, photo_reports: int = 6,
                workers: int | None = None, threads: int | None = None) -> dict:
    """Every figure of one backend (see the module docstring for the steps)."""
    def log(msg):
        out.write(msg)
        if hasattr(out, "flush"):
            out.flush()

    var_dir = Path(env["HAZARDWATCH_VAR_DIR"])
    t = time.monotonic()
    before = _manage(env, "intake-prepare")
    log(f"{name}: bench database ready in {time.monotonic() - t:.0f} s ({before['reports']:,} reports already; "
        f"durability: {before['durability']})")
    port = _free_port()
    server_env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_MAX_REQUESTS="0", GUNICORN_KEEPALIVE="75")
    if workers:
        server_env["GUNICORN_WORKERS"] = str(workers)
    if threads:
        server_env["GUNICORN_THREADS"] = str(threads)
    server = worker = None
    bodies = _report_bodies(2000)
    intake_reqs = itertools.cycle([loadgen.raw_request("POST", "/api/v1/reports", b) for b in bodies])
    bare_reqs = itertools.cycle([loadgen.raw_request("POST", "/bench/insert", b) for b in bodies])
    receipts = Receipts()
    bare_acks = 0
    errors: dict = {}

    def tally(kind, result, ok_status=201):
        for key, count in result.counts.items():
            if key != ok_status:
                errors[f"{kind} {key}"] = errors.get(f"{kind} {key}", 0) + count

    try:
        server = _start(server_env, [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
                        var_dir / "gunicorn.log")
        # The worker shares the 2 cores with the app, at a lower priority (nice 10, as docs/deploy.md advises for
        # a node running both): acknowledgements first, triage and photos in the CPU time left. Each round
        # starts with the queue drained, so the bare endpoint is measured with the worker idle.
        worker = _start(env, [sys.executable, "manage.py", "worker", "--no-schedule"], var_dir / "worker.log",
                        nice=WORKER_NICE)
        loadgen.wait_http(port, "/healthz", timeout=120, proc=server)
        groups = {"app": lambda: loadgen.children(server.pid), "worker": lambda: [worker.pid]}
        with loadgen.RssSampler(groups) as rss:
            bare_acks += loadgen.closed_loop(port, clients, warmup / 2, bare_reqs.__next__).ok(201)
            warm_s, warm_rates = _warm_up(port, clients, warmup, intake_reqs, receipts, tally)
            log(f"  {name} intake warm after {warm_s:.0f} s (req/s per window: "
                f"{', '.join(f'{x:.1f}' for x in warm_rates)})")
            rates = {"bare": [], "intake": []}
            gen_cpu = []
            drains = []
            for r in range(max(1, rounds)):
                for kind, reqs in (("bare", bare_reqs), ("intake", intake_reqs)):
                    drained = _manage(env, "intake-verify", "--wait-tasks", "600")
                    drains.append(drained)
                    if drained["triaged_per_s"]:
                        log(f"  {name} worker drained the queue in {drained['wait_s']:.1f} s "
                            f"({drained['triaged_per_s']:.1f} triaged reports/s at nice {WORKER_NICE})")
                    c0 = time.process_time()
                    res = loadgen.closed_loop(port, clients, seconds, reqs.__next__,
                                              receipts if kind == "intake" else None)
                    if kind == "bare":
                        bare_acks += res.ok(201)
                        gen_cpu.append((time.process_time() - c0) / res.elapsed)
                    tally(kind, res)
                    rates[kind].append(res.rate(201))
                    log(f"  {name} round {r + 1} {kind:6s} {res.rate(201):8.1f} req/s ({res.ok(201)} in "
                        f"{res.elapsed:.1f} s)")
            paired = [i / b for i, b in zip(rates["intake"], rates["bare"]) if b]
            half = 0.5 * statistics.median(rates["intake"])
            lat = loadgen.open_loop(port, half, latency_seconds, intake_reqs.__next__, receipts)
            tally("latency intake", lat)
            lat_ms = [x * 1000 for x in lat.latencies] or [0.0]
            log(f"  {name} intake at {half:.1f} req/s open loop: {len(lat.latencies)} answers, p50 "
                f"{loadgen.percentile(lat_ms, .5):.1f} ms, p95 {loadgen.percentile(lat_ms, .95):.1f} ms, p99 "
                f"{loadgen.percentile(lat_ms, .99):.1f} ms")
            rss.sample()
            rss_json = dict(rss.peak)  # before any photo: what JSON intake alone costs
            photo_stats = _photo_phase(port, env, photo_reports, receipts, tally, log, name)
        app_rss, worker_rss = rss.peak["app"], rss.peak["worker"]
    finally:
        _stop(server)
        _stop(worker)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(receipts.codes, fh)
    try:
        after = _manage(env, "intake-verify", "--receipts", fh.name)
    finally:
        os.unlink(fh.name)
    bare_stored = after["bare_rows"] - before["bare_rows"]
    result = {
        "backend": name, "clients": clients, "seconds": seconds, "rounds": len(paired),
        "workers": workers, "threads": threads,
        "bare_rates": rates["bare"], "intake_rates": rates["intake"], "ratios": paired,
        "bare": statistics.median(rates["bare"]), "intake": statistics.median(rates["intake"]),
        "ratio": statistics.median(paired) if paired else 0.0,
        "latency_rate": half, "latency_n": len(lat.latencies), "p50": loadgen.percentile(lat_ms, .5),
        "p95": loadgen.percentile(lat_ms, .95), "p99": loadgen.percentile(lat_ms, .99),
        "acknowledged": len(receipts.codes), "stored": after["found"], "triaged": after["triaged"],
        "worker_triage_per_s": statistics.median([d["triaged_per_s"] for d in drains if d["triaged_per_s"]] or [0.0]),
        "bare_acknowledged": bare_acks, "bare_stored": bare_stored,
        "app_rss_mb": app_rss, "worker_rss_mb": worker_rss, "app_rss_json_mb": rss_json["app"],
        "worker_rss_json_mb": rss_json["worker"], "generator_cpu": max(gen_cpu) if gen_cpu else 0.0,
        "durability": before["durability"], "errors": errors, **photo_stats,
    }
    log(f"  {name}: intake {result['intake']:.1f} req/s, bare {result['bare']:.1f} req/s, ratio "
        f"{result['ratio']:.2f} (rounds {', '.join(f'{x:.2f}' for x in paired)}); acknowledged "
        f"{result['acknowledged']}, stored {result['stored']}, triaged {result['triaged']} (worker "
        f"{result['worker_triage_per_s']:.1f} reports/s); bare acknowledged {bare_acks}, stored {bare_stored}; "
        f"RSS app {app_rss:.0f} MB ({rss_json['app']:.0f} before the photos), worker {worker_rss:.0f} MB "
        f"({rss_json['worker']:.0f} before the photos); load generator used "
        f"{result['generator_cpu'] * 100:.0f} % of a core at most" + (f"; non-201: {errors}" if errors else ""))
    return result


def _warm_up(port, clients, window, reqs, receipts, tally, limit: float = 120.0) -> tuple[float, list]:
    """Intake load until the rate is steady: every gunicorn worker imports the views and builds the criteria
    matcher on its first report (seconds each on a busy machine), which must not count in the rounds.
    Steady = three windows, the last within 25 % of the one before (or `limit` seconds)."""
    t0 = time.monotonic()
    rates = []
    while time.monotonic() - t0 < limit:
        res = loadgen.closed_loop(port, clients, window, reqs.__next__, receipts)
        tally("warm-up intake", res)
        rates.append(res.rate(201))
        if len(rates) >= 3 and rates[-2] > 0 and abs(rates[-1] - rates[-2]) <= 0.25 * rates[-2]:
            break
    return time.monotonic() - t0, rates


def _photo_phase(port, env, n, receipts, tally, log, name) -> dict:
    """n reports with one 12 MP photo from 2 clients, then wait until the worker made every derivative."""
    if n <= 0:
        return {"photo_reports": 0}
    from hazardwatch.jobs.bench_photo import synthetic_photo

    photo = synthetic_photo()
    bodies = iter(_report_bodies(n, seed=12))

    def next_request():
        data = next(bodies, None)
        if data is None:
            return None
        body, ctype = _multipart(data, photo)
        return loadgen.raw_request("POST", "/api/v1/reports", body, content_type=ctype)

    res = loadgen.closed_loop(port, 2, 600, next_request, receipts)
    tally("photo intake", res)
    waited = _manage(env, "intake-verify", "--wait-tasks", "600")
    log(f"  {name} {res.ok(201)} reports with a {len(photo) / 1e6:.1f} MB photo in {res.elapsed:.1f} s; worker done "
        f"{waited['wait_s']:.1f} s later ({waited['photos_pending']} pending)")
    return {"photo_reports": res.ok(201), "photo_intake_s": res.elapsed, "photo_worker_wait_s": waited["wait_s"],
            "photos_pending": waited["photos_pending"]}


# --- inside the bench database (subprocess commands) ----------------------------------------------------

def prepare() -> dict:
    """Migrate, load the divisions intake routes by, create the bench table; counts before the run."""
    from django.core.management import call_command
    from django.db import connection

    from hazardwatch.jobs.bench_urls import bench_table_count, bench_table_create
    from hazardwatch.criteria.models import Standard
    from hazardwatch.places.models import Division
    from hazardwatch.reports.models import Report

    call_command("migrate", verbosity=0)
    if not Division.objects.exists():
        call_command("load_divisions", verbosity=0)
    if not Standard.objects.exists():  # intake matches every report against the criteria catalogue
        call_command("criteria", "load", verbosity=0)
    bench_table_create()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
            durability = f"synchronous_commit={cursor.fetchone()[0]}"
            cursor.execute("SHOW fsync")
            durability += f", fsync={cursor.fetchone()[0]}"
        else:
            cursor.execute("PRAGMA synchronous")
            durability = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
            cursor.execute("PRAGMA journal_mode")
            durability = f"synchronous={durability}, journal_mode={cursor.fetchone()[0]}"
    return {"reports": Report.objects.count(), "bare_rows": bench_table_count(), "durability": durability}


def verify(receipts_file: str = "", wait_tasks: float = 0.0) -> dict:
    """How many of the acknowledged receipt codes have their report stored, and how many of those the worker
    has triaged (a case opened); the bench table's rows; tasks still waiting or running and photos still without
    derivatives (after waiting up to `wait_tasks` seconds for the queue to drain) and the worker's triage rate
    while it drained."""
    from django_tasks_db.models import DBTaskResult

    from hazardwatch.core import secrets as hw_secrets
    from hazardwatch.jobs.bench_urls import bench_table_count
    from hazardwatch.reports.models import Report, ReportPhoto

    def untriaged():
        return Report.objects.filter(case__isnull=True).count()

    def queued():
        return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()

    t0 = time.monotonic()
    first_untriaged = untriaged()
    pending = queued()
    while pending and time.monotonic() - t0 < wait_tasks:
        time.sleep(0.25)
        pending = queued()
    waited = time.monotonic() - t0
    triaged = first_untriaged - untriaged()
    result = {"tasks_pending": pending, "photos_pending": ReportPhoto.objects.filter(stripped="").count(),
              "wait_s": waited, "triaged_per_s": triaged / waited if triaged and waited > 0.5 else 0.0,
              "bare_rows": bench_table_count()}
    if receipts_file:
        codes = json.loads(Path(receipts_file).read_text())
        hashes = [hw_secrets.receipt_hash(hw_secrets.receipt_normalize(c)) for c in codes]
        found = triaged_found = 0
        for i in range(0, len(hashes), 500):
            rows = Report.objects.filter(receipt_hash__in=hashes[i:i + 500])
            found += rows.count()
            triaged_found += rows.filter(case__isnull=False).count()
        result.update({"receipts": len(codes), "found": found, "triaged": triaged_found,
                       "distinct": len(set(hashes))})
    return result


# --- the table ------------------------------------------------------------------------------------------

def _ok(flag: bool | None) -> str:
    return "" if flag is None else ("ok" if flag else "NO")


def intake_rows(results: dict) -> list[tuple]:
    """Table rows (metric, SQLite, PostgreSQL, target, ok) from run_backend results by backend."""
    def cell(backend, fmt):
        r = results.get(backend)
        return fmt(r) if r else "—"

    def both(pred):
        flags = [pred(r) for r in results.values() if r]
        return _ok(all(flags)) if flags else ""

    any_r = next((r for r in results.values() if r), {})
    rows = [
        (f"intake, anonymous API report, req/s ({any_r.get('clients', '?')} clients)",
         cell("sqlite", lambda r: f"{r['intake']:.0f}"), cell("postgresql", lambda r: f"{r['intake']:.0f}"), "", ""),
        ("bare insert-one-row endpoint, req/s (same server)",
         cell("sqlite", lambda r: f"{r['bare']:.0f}"), cell("postgresql", lambda r: f"{r['bare']:.0f}"), "", ""),
        ("intake / bare (median of paired rounds)", cell("sqlite", lambda r: f"{r['ratio']:.2f}"),
         cell("postgresql", lambda r: f"{r['ratio']:.2f}"), f"≥ {TARGET_RATIO}",
         both(lambda r: r["ratio"] >= TARGET_RATIO)),
        ("intake latency p50 / p95 / p99 ms at half that rate (open loop)",
         cell("sqlite", _latency), cell("postgresql", _latency), "", ""),
        (f"worker: reports triaged/s while draining the queue (nice {WORKER_NICE})",
         cell("sqlite", lambda r: f"{r.get('worker_triage_per_s', 0):.0f}"),
         cell("postgresql", lambda r: f"{r.get('worker_triage_per_s', 0):.0f}"), "", ""),
        ("acknowledged receipts = stored reports", cell("sqlite", _acks), cell("postgresql", _acks), "equal",
         both(lambda r: r["acknowledged"] == r["stored"] == r.get("triaged", r["stored"])
              and r["bare_acknowledged"] == r["bare_stored"])),
        ("app RSS, largest gunicorn worker, MB (before the 12 MP photos)", cell("sqlite", _app_rss),
         cell("postgresql", _app_rss), f"< {TARGET_RSS_MB}",
         both(lambda r: 0 < r["app_rss_mb"] < TARGET_RSS_MB)),
        ("worker RSS, MB (before the 12 MP photo derivatives)", cell("sqlite", _worker_rss),
         cell("postgresql", _worker_rss), f"< {TARGET_RSS_MB}",
         both(lambda r: 0 < r["worker_rss_mb"] < TARGET_RSS_MB)),
        ("load generator CPU in bare rounds (of one core)",
         cell("sqlite", lambda r: f"{r['generator_cpu'] * 100:.0f} %"),
         cell("postgresql", lambda r: f"{r['generator_cpu'] * 100:.0f} %"), "< 100 %",
         both(lambda r: r["generator_cpu"] < 0.9)),
    ]
    return rows


def _app_rss(r) -> str:
    return f"{r['app_rss_mb']:.0f} ({r['app_rss_json_mb']:.0f})"


def _worker_rss(r) -> str:
    return f"{r['worker_rss_mb']:.0f} ({r['worker_rss_json_mb']:.0f})"


def _latency(r) -> str:
    return f"{r['p50']:.0f} / {r['p95']:.0f} / {r['p99']:.0f} @ {r['latency_rate']:.0f}/s"


def _acks(r) -> str:
    return (f"{r['stored']}/{r['acknowledged']} (triaged {r.get('triaged', '?')}), "
            f"bare {r['bare_stored']}/{r['bare_acknowledged']}")


def format_table(rows: list[tuple]) -> str:
    """A Markdown table (pastes into docs/performance.md as is)."""
    head = ("metric", "SQLite", "PostgreSQL", "target", "ok?")
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(5)]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    return "\n".join(lines)


def run(out, *, backends=("sqlite", "postgresql"), var_root: Path | None = None,
        postgres_base: str = "postgres://postgres@127.0.0.1:5432/postgres", postgres_db: str = POSTGRES_DB,
        **kwargs) -> dict:
    """run_backend for each backend; returns results by backend (None where skipped)."""
    var_root = Path(var_root or Path(settings.BASE_DIR) / "var" / "bench" / "intake")
    results: dict = {}
    for name in backends:
        if name == "sqlite":
            env = backend_env(var_root / "sqlite")
        else:
            url = postgres_url(postgres_base, postgres_db, out)
            if url is None:
                results[name] = None
                continue
            env = backend_env(var_root / "postgresql", url)
        results[name] = run_backend(name, env, out, **kwargs)
    return results
