"""hazardwatch bench: benchmarks that print figures (ratios measured in the same run).

    hazardwatch bench matching [--file tests/data/criteria_eval.jsonl] [--repeat 20]
    hazardwatch bench seed --hazards N [--batch 20000] [--sqlite-file F | --database-url URL | --yes]
    hazardwatch bench map [--large 1000000] [--small 1000] [--repeat 200] [--rounds 3] [--only city/] [--no-postgres]
    hazardwatch bench dashboard [--large 1000000] [--small 1000] [--repeat 60] [--rounds 3] [--only a,b] [--no-postgres]
    hazardwatch bench map-aggregate      # rebuild the map pre-aggregate in the configured database

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
                            choices=["all", "matching", "seed", "map", "map-measure", "map-aggregate", "dashboard"])
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

    def handle(self, *args, **options):
        what = options["what"]
        if what in ("all", "matching"):
            self.matching(Path(options["file"]), max(1, options["repeat"] or 20))
        if what == "seed":
            self.seed(options)
        if what in ("all", "map"):
            self.map(options)
        if what in ("all", "dashboard"):
            self.dashboard(options)
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
        env = self._bench_env(options["database_url"], options["sqlite_file"] or str(BENCH_DIR / "hazards.sqlite3"))
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
        backends = [("sqlite", lambda n: self._bench_env("", str(BENCH_DIR / f"map_{n}.sqlite3")))]
        if not options["no_postgres"]:
            backends.append(("postgresql", lambda n: self._postgres_env(options["postgres_url"], n)))
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
                self.stdout.write(
                    f"  {key:<30} {med(x['p50'] for x in a):7.2f} / {med(x['p95'] for x in a):7.2f}   "
                    f"{med(y['p50'] for y in b):7.2f} / {med(y['p95'] for y in b):7.2f}   "
                    f"ratio p95 {med(ratios):6.2f}x {ok} (rounds {', '.join(f'{r:.2f}' for r in ratios)})  "
                    f"[{b[0]['source']}, {a[0]['cells']}→{b[0]['cells']} cells, n={b[0].get('n', repeat)}]")
            self.stdout.write("  target: map viewport p95(large) <= 2x p95(small)")

    def dashboard(self, options):
        """Dashboard summary p50/p95 at the small and large sizes, in databases of its own (SQLite files
        var/bench/dashboard_<N>.sqlite3, PostgreSQL hazardwatch_bench_dash_<N>), seeded without the map
        pre-aggregate (the dashboard never reads it) by `run_dashboard_bench`."""
        from hazardwatch.insights.bench_stats import run_dashboard_bench

        sizes = (options["small"], options["large"])
        databases = {"sqlite": {n: self._bench_env("", str(BENCH_DIR / f"dashboard_{n}.sqlite3")) for n in sizes}}
        if not options["no_postgres"]:
            envs = {n: self._postgres_env(options["postgres_url"], n, "hazardwatch_bench_dash") for n in sizes}
            if all(e is not None for e in envs.values()):
                databases["postgresql"] = envs
        run_dashboard_bench(self.stdout, sizes=sizes, repeat=min(options["repeat"] or 60, 200), databases=databases,
                            rounds=options["rounds"], only=options["only"])

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
