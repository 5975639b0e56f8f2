"""`make bench-quiz`: quiz answer submission throughput on PostgreSQL + Redis next to a bare JSON endpoint,
same gunicorn server, same run, concurrent keep-alive clients on loopback; then the persistence worker
drains the stream and we check that every acknowledged answer is in PostgreSQL exactly once.

Runs only against a database whose name contains "bench" (never `test`), with REDIS_URL set and
HAZARDWATCH_QUIZ_BENCH on; the Makefile target sets all three.
"""
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from hazardwatch.jobs import loadgen
from hazardwatch.quizzes import store, takers

TARGET = 0.6
QUESTIONS_PER_ATTEMPT = 10


def _ensure_database() -> str:
    db = settings.DATABASES["default"]
    name = db["NAME"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in name:
        raise SystemExit(f"bench-quiz runs only on a PostgreSQL database named *bench* (got {db['ENGINE']} {name})")
    import psycopg

    conninfo = {"dbname": "postgres", "user": db.get("USER") or "postgres", "host": db.get("HOST") or "127.0.0.1",
                "port": db.get("PORT") or 5432}
    if db.get("PASSWORD"):
        conninfo["password"] = db["PASSWORD"]
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _seed(n_attempts: int, log):
    from hazardwatch.accounts.models import Organization, OrganizationKind
    from hazardwatch.places.models import Division
    from hazardwatch.places.services import DATA_DIR, divisions_load
    from hazardwatch.quizzes import importer, services
    from hazardwatch.quizzes.models import Answer, Attempt, Question, TakerProfile

    if not Division.objects.exists():
        divisions_load(DATA_DIR / "divisions_zhengzhou.json")
    bank = os.path.join(os.path.dirname(__file__), "data", "starter_bank.yaml")
    with open(bank, "rb") as f:
        importer.bank_import(name="starter_bank.yaml", content=f.read(), actor="bench")
    Answer.objects.all().delete()
    Attempt.objects.all().delete()
    TakerProfile.objects.all().delete()
    counties = list(Division.objects.filter(level="county").order_by("code"))
    units = []
    for i, d in enumerate(counties):
        org, _c = Organization.objects.get_or_create(kind=OrganizationKind.SCHOOL, name=f"压测学校{i + 1}",
                                                     defaults={"region": d})
        units.append(org)
    questions = list(Question.objects.filter(active=True))
    now = timezone.now()
    t0 = time.monotonic()
    profiles = TakerProfile.objects.bulk_create([
        TakerProfile(token=secrets.token_hex(16), region=units[i % len(units)].region, unit=units[i % len(units)])
        for i in range(n_attempts)], batch_size=2000)
    import random

    rng = random.Random(1)
    attempts = []
    for p in profiles:
        qs = rng.sample(questions, QUESTIONS_PER_ATTEMPT)
        attempts.append(Attempt(token=secrets.token_hex(16), taker=p, day=services.local_today(), region=p.region,
                                unit=p.unit, questions=[q.pk for q in qs],
                                option_orders={str(q.pk): [o["key"] for o in q.options] for q in qs},
                                points_per_correct=10, started_at=now, deadline_at=now + timedelta(hours=2)))
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    by_id = {q.pk: q for q in questions}
    attempts = list(Attempt.objects.select_related("taker", "region").order_by("pk"))
    pipe = store.client().pipeline(transaction=False)
    for a in attempts:
        services._put_state(a, [by_id[q] for q in a.questions], pipe=pipe)
    pipe.execute()
    signer = takers.signer()
    work = []
    for qi in range(QUESTIONS_PER_ATTEMPT):
        for a in attempts:
            qid = a.questions[qi]
            q = by_id[qid]
            choice = q.answer if rng.random() < 0.7 else _wrong(q)
            cookie = f"{takers.COOKIE}={signer.sign(a.taker.token)}"
            body = json.dumps({"question": qid, "choice": choice}).encode()
            # Encoded here, like the echo request, so that the load generator does the same work per request
            # for both endpoints during the measured rounds.
            work.append(_raw("POST", f"/api/v1/quizzes/attempts/{a.token}/answers", cookie, body))
    log(f"  seeded {len(attempts)} attempts x {QUESTIONS_PER_ATTEMPT} questions in {time.monotonic() - t0:.1f} s")
    return work


def _wrong(q) -> list[str]:
    """A wrong choice: an option that is not correct, or only part of an all-correct multiple choice."""
    return [next((o["key"] for o in q.options if o["key"] not in q.answer), q.answer[0])]


# --- load generation and process probes: hazardwatch/jobs/loadgen.py (shared with `hazardwatch bench intake`)

def _raw(method: str, path: str, cookie: str | None = None, body: bytes = b"") -> bytes:
    return loadgen.raw_request(method, path, body, headers={"Cookie": cookie} if cookie else None)


def _load(port: int, clients: int, seconds: float, next_request) -> tuple[float, dict]:
    result = loadgen.closed_loop(port, clients, seconds, next_request)
    counts = dict(result.counts)
    if result.exhausted:
        counts["exhausted"] = True
    return result.elapsed, counts


def _wait_up(port: int, timeout: float = 30.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/quizzes/bench/echo", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


_cpu_seconds = loadgen.cpu_seconds
_children = loadgen.children


def _redis_pid() -> int | None:
    try:
        return int(store.client().info("server")["process_id"])
    except Exception:  # noqa: BLE001 - only for the CPU figure
        return None


def _rss_mb(pid: int) -> float:
    """The largest RSS among gunicorn's master and workers, in MB."""
    return max(loadgen.rss_mb(p) for p in [pid, *loadgen.children(pid)])


def run(out, *, seconds: float = 8.0, clients: int = 64, workers: int = 3, threads: int = 8, rounds: int = 3,
        port: int = 8765):
    from hazardwatch.quizzes import services
    from hazardwatch.quizzes.models import Answer, Attempt

    def log(msg):
        out.write(msg)
        out.flush()

    if not settings.REDIS_URL or not settings.HAZARDWATCH_QUIZ_BENCH:
        raise SystemExit("bench-quiz needs REDIS_URL and HAZARDWATCH_QUIZ_BENCH=1 (see the Makefile target)")
    name = _ensure_database()
    log(f"Quiz answer bench: PostgreSQL {name}, Redis {settings.REDIS_URL} prefix {store.prefix()}, "
        f"gunicorn {workers} workers x {threads} threads, {clients} keep-alive clients, "
        f"{rounds} x {seconds:.0f} s per endpoint")
    call_command("migrate", verbosity=0)
    store.clear_all()
    n_attempts = max(1000, int(4000 * (seconds * rounds + 2) / QUESTIONS_PER_ATTEMPT))
    work = _seed(n_attempts, log)
    connection.close()
    env = dict(os.environ, HAZARDWATCH_QUIZ_BENCH="1", DJANGO_DEBUG="false")
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
           "-k", "gthread", "--threads", str(threads), "--keep-alive", "60", "--log-level", "warning",
           "--backlog", "2048"]
    server = subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env)
    echo_req = _raw("GET", "/api/v1/quizzes/bench/echo")
    results = {"echo": [], "answer": []}
    acknowledged = 0
    errors: dict = {}
    it = iter(work)

    def next_answer():
        return next(it, None)

    try:
        _wait_up(port)
        # Warm up every worker and thread (connections to PostgreSQL and Redis, caches) on both endpoints.
        _load(port, clients, 1.5, lambda: echo_req)
        _e, warm = _load(port, clients, 1.5, next_answer)
        acknowledged += warm.get(201, 0)
        workers_pids = _children(server.pid)
        redis_pid = _redis_pid()
        cpu = {"echo": [], "answer": []}
        for r in range(rounds):
            for kind in ("echo", "answer"):
                c0 = _cpu_seconds(workers_pids)
                r0 = _cpu_seconds([redis_pid]) if redis_pid else 0.0
                elapsed, counts = _load(port, clients, seconds, (lambda: echo_req) if kind == "echo" else next_answer)
                ok = counts.get(200 if kind == "echo" else 201, 0)
                if ok:
                    cpu[kind].append(((_cpu_seconds(workers_pids) - c0) * 1000 / ok,
                                      ((_cpu_seconds([redis_pid]) - r0) if redis_pid else 0.0) * 1000 / ok))
                if kind == "answer":
                    acknowledged += ok
                for k, v in counts.items():
                    if k not in (200, 201, "exhausted"):
                        errors[f"{kind} {k}"] = errors.get(f"{kind} {k}", 0) + v
                rate = ok / elapsed
                results[kind].append(rate)
                log(f"  round {r + 1} {kind:6s} {rate:8.0f} req/s ({ok} in {elapsed:.1f} s)"
                    + ("  [answers ran out]" if counts.get("exhausted") else ""))
        rss = _rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    t0 = time.monotonic()
    pending = services.answers_pending()
    persisted_run = services.answers_persist(batch=2000)
    t_persist = time.monotonic() - t0
    persisted = Answer.objects.count()
    totals_ok = Attempt.objects.filter(answered_count__gt=0).count()
    echo = max(results["echo"])
    answer = max(results["answer"])
    ratio = answer / echo if echo else 0.0
    paired = sorted(a / e for a, e in zip(results["answer"], results["echo"]) if e)
    median = paired[len(paired) // 2] if paired else 0.0
    log(f"bare JSON endpoint      {echo:8.0f} req/s (best of {rounds})")
    log(f"quiz answer (PG+Redis)  {answer:8.0f} req/s (best of {rounds})")
    log(f"ratio                   {ratio:8.2f} (target >= {TARGET}) {'OK' if ratio >= TARGET else 'BELOW TARGET'}; "
        f"per round {', '.join(f'{x:.2f}' for x in paired)} (median {median:.2f})")
    log(f"persistence worker      {persisted_run.read} stream entries ({pending} queued) into PostgreSQL in "
        f"{t_persist:.1f} s = {persisted_run.read / t_persist if t_persist else 0:.0f} answers/s, "
        f"{persisted_run.batches} batches")
    for kind in ("echo", "answer"):
        if cpu[kind]:
            app = min(x[0] for x in cpu[kind])
            red = min(x[1] for x in cpu[kind])
            log(f"CPU per request {kind:6s}  app {app:.2f} ms, redis-server {red:.3f} ms")
    lost = acknowledged - persisted
    log(f"acknowledged {acknowledged}, persisted {persisted}: "
        f"{'nothing lost, nothing doubled' if lost == 0 else f'MISMATCH {lost}'}; attempts with answers {totals_ok}")
    log(f"largest gunicorn process RSS {rss:.0f} MB")
    if errors:
        log(f"non-2xx responses: {errors}")
    store.clear_all()
    return {"echo": echo, "answer": answer, "ratio": ratio, "median_ratio": median, "acknowledged": acknowledged, "persisted": persisted}
