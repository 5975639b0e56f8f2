"""hazardwatch bench: benchmarks that print figures (ratios measured in the same run).

    hazardwatch bench matching [--file tests/data/criteria_eval.jsonl] [--repeat 20]
    hazardwatch bench seed --hazards N [--batch 20000] [--sqlite-file F | --database-url URL | --yes]
    hazardwatch bench map [--large 1000000] [--small 1000] [--repeat 200] [--rounds 3] [--only city/] [--no-postgres]
    hazardwatch bench dashboard [--large 1000000] [--small 1000] [--repeat 60] [--rounds 3] [--only a,b] [--no-postgres]
    hazardwatch bench map-aggregate      # rebuild the map pre-aggregate in the configured database
    hazardwatch bench intake [--backends sqlite,postgresql] [--clients 32] [--seconds 8] [--rounds 3]
    hazardwatch bench photo [--repeat 5]        # rounds
    hazardwatch bench all [--quick] [--skip map,dashboard,quiz,...]   # everything, then ONE table

`all` runs matching, map, dashboard, intake, photo and the quiz bench (`quizzes bench` on PostgreSQL + Redis),
each printing its details, and ends with one Markdown table of the figures against DESIGN.md §8
(docs/performance.md). --quick uses small sizes and short rounds: a smoke run, not figures to quote.

Bench data is synthetic and bulk-inserted without transitions or audit. `seed` writes into
var/bench/hazards.sqlite3 unless given --sqlite-file, --database-url, or --yes (= the configured database).
"""
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_TEXTS = Path(settings.BASE_DIR) / "tests" / "data" / "criteria_eval.jsonl"
BENCH_DIR = Path(settings.BASE_DIR) / "var" / "bench"


def _percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class Command(BaseCommand):
    help = "Run benchmarks and print figures. 'matching': criteria matching vs jieba tokenizing the same text."

    def add_arguments(self, parser):
        parser.add_argument("what", nargs="?", default="all",
                            choices=["all", "matching", "seed", "map", "map-measure", "map-aggregate", "dashboard",
                                     "intake", "intake-prepare", "intake-verify", "photo"])
        parser.add_argument("--file", default=str(DEFAULT_TEXTS), help="JSON Lines with a 'text' field")
        parser.add_argument("--repeat", type=int, default=None, help="repetitions (matching 20, map 200)")
        parser.add_argument("--hazards", type=int, default=0, help="seed: number of synthetic cases")
        parser.add_argument("--batch", type=int, default=20000, help="seed: rows per bulk insert transaction")
        parser.add_argument("--yes", action="store_true", help="seed: write into the configured database")
        parser.add_argument("--sqlite-file", default="", help="seed: a separate SQLite file (migrated first)")
        parser.add_argument("--database-url", default="", help="seed: a separate database (migrated first)")
        parser.add_argument("--small", type=int, default=1000, help="map: the small data set")
        parser.add_argument("--large", type=int, default=1_000_000, help="map: the large data set")
        parser.add_argument("--rounds", type=int, default=3, help="map/dashboard: rounds (sizes alternate)")
        parser.add_argument("--only", default="", help="map/dashboard: only the views whose name contains this "
                                                     "(dashboard: comma-separated substrings)")
        parser.add_argument("--no-postgres", action="store_true", help="map: SQLite only")
        parser.add_argument("--postgres-url", default=os.environ.get(
            "HAZARDWATCH_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"),
            help="map: server to create hazardwatch_bench_<N> databases on")
        parser.add_argument("--quick", action="store_true", help="all: small sizes and short rounds (smoke run)")
        parser.add_argument("--skip", default="", help="all: comma-separated parts to leave out "
                                                       "(matching, map, dashboard, intake, photo, quiz)")
        parser.add_argument("--bench-dir", default=str(BENCH_DIR), help="where the SQLite bench files live")
        parser.add_argument("--backends", default="sqlite,postgresql", help="intake: sqlite, postgresql or both")
        parser.add_argument("--clients", type=int, default=32, help="intake: concurrent keep-alive clients")
        parser.add_argument("--seconds", type=float, default=8.0, help="intake: seconds per round and endpoint")
        parser.add_argument("--latency-seconds", type=float, default=10.0, help="intake: open-loop run at half load")
        parser.add_argument("--photo-reports", type=int, default=6, help="intake: reports with a 12 MP photo")
        parser.add_argument("--workers", type=int, default=0, help="intake: gunicorn workers (default: gunicorn.conf)")
        parser.add_argument("--threads", type=int, default=0, help="intake: threads per gunicorn worker")
        parser.add_argument("--receipts", default="", help="intake-verify: JSON file of acknowledged receipt codes")
        parser.add_argument("--wait-tasks", type=float, default=0.0,
                            help="intake-verify: wait for the task queue to drain (s)")
        parser.add_argument("--quiz-database-url", default=os.environ.get(
            "HAZARDWATCH_BENCH_QUIZ_DB", "postgres://postgres@127.0.0.1:5432/hazardwatch_bench_quiz"),
            help="all: the quiz bench's PostgreSQL database (its name must contain 'bench')")
        parser.add_argument("--quiz-redis-url", default=os.environ.get(
            "HAZARDWATCH_BENCH_QUIZ_REDIS", "redis://127.0.0.1:6379/14"), help="all: the quiz bench's Redis")

    def handle(self, *args, **options):
        what = options["what"]
        self.bench_dir = Path(options["bench_dir"])
        if what == "all":
            return self.all(options)
        if what == "matching":
            self.matching(Path(options["file"]), max(1, options["repeat"] or 20))
        if what == "seed":
            self.seed(options)
        if what == "map":
            self.map(options)
        if what == "dashboard":
            self.dashboard(options)
        if what == "intake":
            self.intake(options)
        if what == "photo":
            from hazardwatch.jobs import bench_photo

            bench_photo.run(self.stdout, rounds=options["repeat"] or 5)
        if what in ("intake-prepare", "intake-verify"):
            from hazardwatch.jobs import bench_intake

            result = (bench_intake.prepare() if what == "intake-prepare"
                      else bench_intake.verify(options["receipts"], options["wait_tasks"]))
            self.stdout.write("RESULT " + json.dumps(result))
        if what == "map-measure":
            from hazardwatch.insights.bench import dumps, measure

            self.stdout.write("RESULT " + dumps(measure(repeat=options["repeat"] or 200, only=options["only"])))
        if what == "map-aggregate":
            from hazardwatch.insights.maps import map_cells_rebuild

            self.stdout.write(f"map pre-aggregate rebuilt: {map_cells_rebuild():,} rows")

    # --- seed ------------------------------------------------------------------------------------------

    def seed(self, options):
        n = options["hazards"]
        if n <= 0:
            raise CommandError("give --hazards N (N > 0)")
        if options["yes"] and not (options["sqlite_file"] or options["database_url"]):
            from django.db import connection

            self.stdout.write(f"seeding {n:,} synthetic cases into the configured database "
                              f"({connection.vendor} {connection.settings_dict['NAME']})")
            from hazardwatch.insights.bench import seed_hazards

            seed_hazards(n, batch=max(100, options["batch"]), out=self.stdout.write)
            return
        env = self._bench_env(options["database_url"],
                              options["sqlite_file"] or str(self.bench_dir / "hazards.sqlite3"))
        self._run(env, ["migrate", "-v", "0"])
        self._run(env, ["bench", "seed", "--yes", "--hazards", str(n), "--batch", str(options["batch"])], echo=True)

    @staticmethod
    def _bench_env(database_url: str, sqlite_file: str) -> dict:
        from hazardwatch.insights.bench import bench_env

        return bench_env(database_url, sqlite_file)

    def _run(self, env, args, echo=False) -> str:
        cmd = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if echo and proc.stdout:
            self.stdout.write(proc.stdout.rstrip())
        if proc.returncode:
            raise CommandError(f"{' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        return proc.stdout

    # --- map -------------------------------------------------------------------------------------------

    def _count(self, env) -> int:
        out = self._run(env, ["shell", "-c",
                              "from hazardwatch.cases.models import Case; print('COUNT', Case.objects.count())"])
        return int(out.split("COUNT")[-1].strip())

    def _dataset(self, env, n, label):
        self._run(env, ["migrate", "-v", "0"])
        have = self._count(env)
        if have != n:
            if have:
                raise CommandError(f"{label} holds {have:,} cases, not {n:,}; delete it and run again")
            self.stdout.write(f"seeding {n:,} cases into {label} …")
            t = time.perf_counter()
            self._run(env, ["bench", "seed", "--yes", "--hazards", str(n)])
            self.stdout.write(f"  done in {time.perf_counter() - t:.0f} s")

    def _postgres_env(self, base_url: str, n: int, stem: str = "hazardwatch_bench"):
        try:
            import psycopg
        except ImportError:
            return None
        name = f"{stem}_{n}"
        try:
            with psycopg.connect(base_url.replace("postgres://", "postgresql://"), connect_timeout=3,
                                 autocommit=True) as conn:
                if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    conn.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # noqa: BLE001 - unreachable server: skip PostgreSQL
            self.stdout.write(f"PostgreSQL not reachable ({exc.__class__.__name__}); skipped")
            return None
        url = base_url.rsplit("/", 1)[0] + "/" + name
        return self._bench_env(url, "")

    def map(self, options):
        repeat = options["repeat"] or 200
        sizes = (options["small"], options["large"])
        backends = [("sqlite", lambda n: self._bench_env("", str(self.bench_dir / f"map_{n}.sqlite3")))]
        if not options["no_postgres"]:
            backends.append(("postgresql", lambda n: self._postgres_env(options["postgres_url"], n)))
        summary = {}  # backend -> (worst median p95 ratio, its view), for the table of `bench all`
        for backend, make_env in backends:
            envs = {n: make_env(n) for n in sizes}
            if any(e is None for e in envs.values()):
                continue
            for n in sizes:
                self._dataset(envs[n], n, f"{backend} bench database ({n:,})")
            rounds = max(1, options["rounds"])
            runs: dict[int, list[dict]] = {n: [] for n in sizes}
            for _ in range(rounds):  # alternate the sizes, so both see the same machine load
                for n in sizes:
                    args = ["bench", "map-measure", "--repeat", str(repeat)]
                    if options["only"]:
                        args += ["--only", options["only"]]
                    out = self._run(envs[n], args)
                    runs[n].append(json.loads(out.split("RESULT ", 1)[1]))
            small, large = (runs[n] for n in sizes)
            self.stdout.write(f"map viewport, {backend}: clusters selector p50 / p95 in ms ({small[0]['cases']:,} vs "
                              f"{large[0]['cases']:,} cases), medians over {rounds} rounds of {repeat} jittered "
                              f"viewports; ratio = median over rounds of p95(large) / p95(small)")
            for key in small[0]["results"]:
                a = [r["results"][key] for r in small]
                b = [r["results"][key] for r in large]
                med = statistics.median
                ratios = [y["p95"] / x["p95"] for x, y in zip(a, b)]
                ok = "ok " if med(ratios) <= 2 else "OVER"
                summary[backend] = max(summary.get(backend, (0.0, "")), (med(ratios), key))
                self.stdout.write(
                    f"  {key:<30} {med(x['p50'] for x in a):7.2f} / {med(x['p95'] for x in a):7.2f}   "
                    f"{med(y['p50'] for y in b):7.2f} / {med(y['p95'] for y in b):7.2f}   "
                    f"ratio p95 {med(ratios):6.2f}x {ok} (rounds {', '.join(f'{r:.2f}' for r in ratios)})  "
                    f"[{b[0]['source']}, {a[0]['cells']}→{b[0]['cells']} cells, n={b[0].get('n', repeat)}]")
            self.stdout.write("  target: map viewport p95(large) <= 2x p95(small)")
        return summary

    def dashboard(self, options):
        """Dashboard summary p50/p95 at the small and large sizes, in databases of its own (SQLite files
        var/bench/dashboard_<N>.sqlite3, PostgreSQL hazardwatch_bench_dash_<N>), seeded without the map
        pre-aggregate (the dashboard never reads it) by `run_dashboard_bench`."""
        from hazardwatch.insights.bench_stats import run_dashboard_bench

        sizes = (options["small"], options["large"])
        databases = {"sqlite": {n: self._bench_env("", str(self.bench_dir / f"dashboard_{n}.sqlite3"))
                                for n in sizes}}
        if not options["no_postgres"]:
            envs = {n: self._postgres_env(options["postgres_url"], n, "hazardwatch_bench_dash") for n in sizes}
            if all(e is not None for e in envs.values()):
                databases["postgresql"] = envs
        return run_dashboard_bench(self.stdout, sizes=sizes, repeat=min(options["repeat"] or 60, 200),
                                   databases=databases, rounds=options["rounds"], only=options["only"])

    def matching(self, path: Path, repeat: int):
        from hazardwatch.criteria.services import matcher_from_files

        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        t0 = time.perf_counter()
        matcher = matcher_from_files()
        build = time.perf_counter() - t0
        tokenizer = matcher._tokenizer
        for text in texts[:20]:  # warm up caches
            matcher.match(text)
            tokenizer.lcut(text)
        # Interleaved, so that both sides see the same machine load (this machine is shared and noisy);
        # the minimum of the repeats is the least disturbed figure for each text.
        tok_times, match_times = [], []
        clock = time.perf_counter
        for text in texts:
            best_tok = best_match = float("inf")
            for _ in range(repeat):
                t0 = clock()
                tokenizer.lcut(text)
                t1 = clock()
                matcher.match(text)
                t2 = clock()
                best_tok = min(best_tok, t1 - t0)
                best_match = min(best_match, t2 - t1)
            tok_times.append(best_tok)
            match_times.append(best_match)
        ratios = [m / k for m, k in zip(match_times, tok_times)]
        ms = 1000
        self.stdout.write(
            f"criteria matching over {len(texts)} reports ({len(matcher.items)} items, matcher built in {build:.2f} s)\n"
            f"  jieba tokenize   mean {statistics.mean(tok_times) * ms:.3f} ms   p50 {_percentile(tok_times, .5) * ms:.3f}"
            f"   p95 {_percentile(tok_times, .95) * ms:.3f}\n"
            f"  full matching    mean {statistics.mean(match_times) * ms:.3f} ms   p50 {_percentile(match_times, .5) * ms:.3f}"
            f"   p95 {_percentile(match_times, .95) * ms:.3f}\n"
            f"  ratio (match / tokenize, per report): mean {statistics.mean(ratios):.2f}x   median "
            f"{statistics.median(ratios):.2f}x   (target <= 5x)\n"
            f"  total ratio: {sum(match_times) / sum(tok_times):.2f}x")
        return {"ratio": statistics.median(ratios), "reports": len(texts)}

    # --- intake, photo, quiz, and the one table of `bench all` -------------------------------------------

    def intake(self, options) -> dict:
        from hazardwatch.jobs import bench_intake

        quick = options["quick"]
        results = bench_intake.run(
            self.stdout, backends=[b.strip() for b in options["backends"].split(",") if b.strip()],
            var_root=self.bench_dir / "intake", postgres_base=options["postgres_url"],
            clients=min(options["clients"], 16) if quick else options["clients"],
            seconds=min(options["seconds"], 3.0) if quick else options["seconds"],
            rounds=1 if quick else max(1, options["rounds"]), warmup=3.0 if quick else 5.0,
            latency_seconds=min(options["latency_seconds"], 4.0) if quick else options["latency_seconds"],
            photo_reports=min(options["photo_reports"], 2) if quick else options["photo_reports"],
            workers=options["workers"] or None, threads=options["threads"] or None)
        self.stdout.write(bench_intake.format_table(bench_intake.intake_rows(results)))
        return results

    def quiz(self, options) -> dict | None:
        """`quizzes bench` in its own environment (PostgreSQL + Redis, like `make bench-quiz`); its ratio and
        RSS parsed from its report. None when Redis or PostgreSQL is not there."""
        import re

        try:
            import redis

            redis.Redis.from_url(options["quiz_redis_url"], socket_connect_timeout=2).ping()
        except Exception as exc:  # noqa: BLE001 - no Redis: no quiz figures
            self.stdout.write(f"quiz bench skipped: Redis not reachable ({exc.__class__.__name__})")
            return None
        env = dict(os.environ, DATABASE_URL=options["quiz_database_url"], REDIS_URL=options["quiz_redis_url"],
                   HAZARDWATCH_QUIZ_REDIS_PREFIX="hwbench:quiz:", HAZARDWATCH_QUIZ_BENCH="1")
        env.pop("HAZARDWATCH_TEST_DB_NAME", None)
        args = ["quizzes", "bench"] + (["--seconds", "2", "--rounds", "1"] if options["quick"] else [])
        try:
            out = self._run(env, args, echo=True)
        except CommandError as exc:
            self.stdout.write(f"quiz bench failed: {str(exc)[-500:]}")
            return None
        ratio = re.search(r"^ratio\s+([\d.]+)", out, re.M)
        rss = re.search(r"largest gunicorn process RSS (\d+) MB", out)
        acks = re.search(r"acknowledged (\d+), persisted (\d+)", out)
        return {"ratio": float(ratio.group(1)) if ratio else None, "rss_mb": float(rss.group(1)) if rss else None,
                "acknowledged": int(acks.group(1)) if acks else None, "persisted": int(acks.group(2)) if acks else None}

    def all(self, options):
        """Every bench, then one table. --quick: small sizes (map/dashboard 200 vs 5,000 hazards in their own
        files), short rounds. Parts in --skip are left out (their rows say so)."""
        from hazardwatch.jobs import bench_intake, bench_photo

        skip = {s.strip() for s in options["skip"].split(",") if s.strip()}
        quick = options["quick"]
        if quick:
            options = {**options, "small": 200, "large": 5000, "repeat": 30, "rounds": 1}
        figures: dict = {}
        started = time.monotonic()
        matching_repeat = 3 if quick else max(1, options["repeat"] or 20)
        parts = [("matching", lambda: self.matching(Path(options["file"]), matching_repeat)),
                 ("map", lambda: self.map({**options, "repeat": options["repeat"] or 200})),
                 ("dashboard", lambda: self.dashboard(options)),
                 ("intake", lambda: self.intake(options)),
                 ("photo", lambda: bench_photo.run(self.stdout, rounds=2 if quick else 5)),
                 ("quiz", lambda: self.quiz(options))]
        for name, part in parts:
            if name in skip:
                continue
            self.stdout.write(f"\n## {name}")
            t = time.monotonic()
            figures[name] = part()
            self.stdout.write(f"({name}: {time.monotonic() - t:.0f} s)")
        rows = self._table_rows(figures, options)
        self.stdout.write(f"\n## Hazardwatch bench{' (--quick: smoke sizes, not figures to quote)' if quick else ''}, "
                          f"{time.monotonic() - started:.0f} s, {os.cpu_count()} cores, load average "
                          f"{os.getloadavg()[0]:.1f} at the end\n")
        self.stdout.write(bench_intake.format_table(rows))
        return None

    @staticmethod
    def _table_rows(figures: dict, options) -> list[tuple]:
        from hazardwatch.jobs import bench_intake

        def ok(flag):
            return "" if flag is None else ("ok" if flag else "NO")

        rows = []
        m = figures.get("matching")
        if m:
            cell = f"{m['ratio']:.2f}×"
            rows.append(("criteria matching / jieba tokenize, median per report (no database)", cell, cell, "≤ 5×",
                         ok(m["ratio"] <= 5)))
        for part, label, target in (("map", "map viewport", 2), ("dashboard", "dashboard statistics", 3)):
            data = figures.get(part)
            if data is None:
                continue
            worst = {}
            for backend in ("sqlite", "postgresql"):
                if part == "map":
                    worst[backend] = data.get(backend)
                elif backend in data:
                    worst[backend] = _dashboard_worst(data[backend])
            cells = [f"{w[0]:.2f}× ({w[1]})" if w else "—" for w in (worst.get("sqlite"), worst.get("postgresql"))]
            flags = [w[0] <= target for w in worst.values() if w]
            rows.append((f"{label} p95 at {options['large']:,} / at {options['small']:,} hazards, worst view",
                         *cells, f"≤ {target}×", ok(all(flags)) if flags else ""))
        if "intake" in figures:
            rows += bench_intake.intake_rows(figures["intake"])
        p = figures.get("photo")
        if p:
            cell = f"{p['ratio']:.2f}× (worker {p['worker_ratio']:.2f}×)"
            rows.append(("photo 12 MP: intake check + pHash + derivatives / Pillow (no database)", cell, cell,
                         "≤ 1.5×", ok(p["ratio"] <= 1.5)))
        q = figures.get("quiz")
        if "quiz" in figures:
            rows.append(("quiz answer / bare JSON endpoint (PostgreSQL + Redis)", "—",
                         f"{q['ratio']:.2f}" if q and q["ratio"] is not None else "skipped", "≥ 0.6",
                         ok(q["ratio"] >= 0.6) if q and q["ratio"] is not None else ""))
            if q and q["rss_mb"] is not None:
                rows.append(("quiz app RSS, largest gunicorn process, MB", "—", f"{q['rss_mb']:.0f}", "< 300",
                             ok(q["rss_mb"] < 300)))
        return rows


def _dashboard_worst(rounds_by_size: dict):
    """(worst median p95 ratio, view) from run_dashboard_bench's rounds of one backend."""
    sizes = sorted(rounds_by_size)
    small, large = rounds_by_size[sizes[0]], rounds_by_size[sizes[-1]]
    worst = None
    for key in small[0]["results"]:
        ratios = [y["results"][key]["p95"] / x["results"][key]["p95"] for x, y in zip(small, large)
                  if x["results"][key]["p95"]]
        if ratios:
            worst = max(worst or (0.0, ""), (statistics.median(ratios), key))
    return worst
