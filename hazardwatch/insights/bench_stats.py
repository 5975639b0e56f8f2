"""Dashboard benchmark: p50/p95 of GET /api/v1/stats/summary at two data sizes, in one run.

`dashboard_measure()` runs inside one database (the configured one: each size lives in its own database, as
for the map bench) and returns JSON-able figures; `run_dashboard_bench()` seeds (with
`insights.bench.seed_hazards`), measures each size in a subprocess and prints the comparison.

    hazardwatch bench dashboard            (wired in the bench command: see run_dashboard_bench)
"""
import json
import subprocess
import sys
import time
from pathlib import Path

# (label, user kind, query parameters): the views a regulator opens most.
VARIANTS = [
    ("admin/all", "admin", {}),
    ("admin/sector", "admin", {"sector": "fire"}),
    ("admin/drill-county", "admin", {"region": "410105"}),
    ("admin/year", "admin", {"from": "2025-01", "to": "2025-12", "grade": "general"}),
    ("city-fire/all", "city", {}),
    ("admin/day-range", "admin", {"from": "2025-03-10", "to": "2025-09-20"}),
    ("admin/weekly", "admin", {"from": "2025-06-01", "to": "2025-11-30", "interval": "week"}),
    ("city-fire/day-range", "city", {"from": "2025-03-10", "to": "2025-09-20"}),
    ("city-fire/weekly", "city", {"from": "2025-03-10", "to": "2025-09-20", "interval": "week"}),
    ("admin/days-in-month", "admin", {"from": "2025-03-10", "to": "2025-04-20"}),
    ("admin/county-day-range", "admin", {"region": "410105", "from": "2025-03-10", "to": "2025-09-20"}),
    ("district-fire/day-range", "district", {"from": "2025-03-10", "to": "2025-09-20"}),
    ("district-fire/weekly", "district", {"from": "2025-03-10", "to": "2025-09-20", "interval": "week"}),
    ("admin/township-day-range", "admin", {"region": "410105001", "from": "2025-03-10", "to": "2025-09-20"}),
]
LIVE_REPEAT = 8  # live and mixed summaries take seconds at 1,000,000 cases: fewer repetitions


def _users():
    from hazardwatch.accounts.models import Membership, Organization, OrgPolicy, User
    from hazardwatch.places.models import Division

    admin = User.objects.filter(username="bench_admin").first() or User.objects.create(
        username="bench_admin", is_superuser=True, is_staff=True)
    city = User.objects.filter(username="bench_city_fire").first()
    if city is None:
        org = Organization.objects.create(kind="regulator", name="bench city fire",
                                          region=Division.objects.get(code="410100"), sectors=["fire"])
        OrgPolicy.objects.create(organization=org, general_deadline_days=10, major_deadline_days=60)
        city = User.objects.create(username="bench_city_fire")
        Membership.objects.create(user=city, organization=org, role="regulator_staff")
    district = User.objects.filter(username="bench_district_fire").first()
    if district is None:  # the Jinshui district fire brigade: a county-level regulator
        org = Organization.objects.create(kind="regulator", name="bench district fire",
                                          region=Division.objects.get(code="410105"), sectors=["fire"])
        OrgPolicy.objects.create(organization=org, general_deadline_days=10, major_deadline_days=60)
        district = User.objects.create(username="bench_district_fire")
        Membership.objects.create(user=district, organization=org, role="regulator_staff")
    return {"admin": admin, "city": city, "district": district}


def _p(times, q):
    times = sorted(times)
    return times[min(len(times) - 1, int(round(q * (len(times) - 1))))] * 1000


def _selected(label: str, only: str) -> bool:
    """`only`: comma-separated substrings of the view labels to measure ("" = every view)."""
    parts = [p.strip() for p in only.split(",") if p.strip()]
    return not parts or any(p in label for p in parts)


def dashboard_measure(repeat: int = 60, rebuild: bool = False, only: str = "") -> dict:
    """Time the summary endpoint (through Django's test client: routing, auth, JSON) per variant."""
    from django.conf import settings
    from django.test import Client

    from hazardwatch.cases.models import Case
    from hazardwatch.insights import stats
    from hazardwatch.insights.models import StatsCell, StatsDayCell

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    out = {"cases": Case.objects.count(), "results": {}}
    t = time.perf_counter()
    state = stats.stats_state()
    # Rebuild when the cases changed or the day rows were built for another depth (an older build).
    if rebuild or state is None or state.cases != out["cases"] or not stats.day_cells_built():
        built = stats.stats_rebuild()
        out["rebuild_s"], out["cells"] = time.perf_counter() - t, built["cells"]
        out["day_cells"] = built["day_cells"]
    else:
        stats.stats_analyze()
        out["cells"] = StatsCell.objects.count()
        out["day_cells"] = StatsDayCell.objects.count()
    t = time.perf_counter()
    stats.stats_refresh()
    out["refresh_s"] = time.perf_counter() - t
    users = _users()
    clients = {}
    for kind, user in users.items():
        clients[kind] = Client()
        clients[kind].force_login(user)
    for label, kind, params in VARIANTS:
        if not _selected(label, only):
            continue
        times, source, n = [], "", repeat
        for i in range(repeat + 5):
            t = time.perf_counter()
            r = clients[kind].get("/api/v1/stats/summary", params)
            el = time.perf_counter() - t
            if r.status_code != 200:
                raise RuntimeError(f"{label}: HTTP {r.status_code} {r.content[:300]!r}")
            if i >= 5:
                times.append(el)
            source = r.json()["source"]
            if i == 5 and source not in ("preaggregate", "days") and el > 0.2:
                n = min(n, LIVE_REPEAT)
            if len(times) >= n:
                break
        out["results"][label] = {"p50": _p(times, .5), "p95": _p(times, .95), "source": source, "n": len(times)}
    all_times = [v["p95"] for v in out["results"].values()]
    out["p95_max"] = max(all_times)
    return out


def format_comparison(backend: str, small: list[dict], large: list[dict]) -> str:
    """Medians over rounds (each round measured both sizes back to back) of p50, p95 and the p95 ratio."""
    import statistics

    med = statistics.median
    last = large[-1]
    lines = [f"dashboard summary, {backend}: p50 / p95 in ms ({small[0]['cases']:,} vs {last['cases']:,} cases; "
             f"pre-aggregate {last.get('cells', 0):,} month cells + {last.get('day_cells', 0):,} day cells"
             + (f", rebuilt in {large[0]['rebuild_s']:.1f} s" if "rebuild_s" in large[0] else "")
             + f"), medians over {len(small)} rounds; ratio = median of p95(large) / p95(small)"]
    for key in small[0]["results"]:
        a = [r["results"][key] for r in small]
        b = [r["results"][key] for r in large]
        ratios = [y["p95"] / x["p95"] for x, y in zip(a, b)]
        ok = "ok " if med(ratios) <= 3 else "OVER"
        lines.append(f"  {key:<22} {med(x['p50'] for x in a):7.2f} / {med(x['p95'] for x in a):7.2f}   "
                     f"{med(y['p50'] for y in b):7.2f} / {med(y['p95'] for y in b):7.2f}   "
                     f"ratio p95 {med(ratios):6.2f}x {ok} (rounds {', '.join(f'{r:.2f}' for r in ratios)})  "
                     f"[{b[0]['source']}, n={b[0].get('n', '?')}]")
    lines.append("  target: dashboard p95(large) <= 3x p95(small)")
    return "\n".join(lines)


def _env(sqlite_file: str = "", database_url: str = "") -> dict:
    from hazardwatch.insights.bench import bench_env

    return bench_env(database_url, sqlite_file)


def _manage(env, *args) -> str:
    from django.conf import settings

    proc = subprocess.run([sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args], env=env,
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


# The dashboard's own files (var/bench/dashboard_<N>.sqlite3) skip the map pre-aggregate: the dashboard does not
# read it, and building it takes longer than seeding.
SEED = ("import hazardwatch.insights.maps as maps; maps.map_cells_rebuild = lambda using='default': 0; "
        "from hazardwatch.cases.models import Case; from hazardwatch.insights.bench import seed_hazards; "
        "n = {n} - Case.objects.count(); n > 0 and seed_hazards(n)")
MEASURE = ("import json; from hazardwatch.insights.bench_stats import dashboard_measure; "
           "print('RESULT', json.dumps(dashboard_measure(repeat={repeat}, only={only!r})))")


def run_dashboard_bench(stdout, sizes=(1000, 1_000_000), repeat: int = 60, databases: dict | None = None,
                        rounds: int = 3, only: str = "") -> dict:
    """Seed (if needed) one database per size, measure each in a subprocess, print and return the figures.

    `databases` maps backend → {size: env}; default: SQLite files var/bench/dashboard_<N>.sqlite3 (and
    PostgreSQL databases if the caller passes envs with DATABASE_URL, e.g. from the bench command).
    """
    from django.conf import settings

    bench_dir = Path(settings.BASE_DIR) / "var" / "bench"
    if databases is None:
        databases = {"sqlite": {n: _env(str(bench_dir / f"dashboard_{n}.sqlite3")) for n in sizes}}
    results = {}
    for backend, envs in databases.items():
        res = {}
        for n in sizes:
            env = envs[n]
            _manage(env, "migrate", "-v", "0")
            t = time.perf_counter()
            _manage(env, "shell", "-c", SEED.format(n=n))
            stdout.write(f"{backend} {n:,}: data ready in {time.perf_counter() - t:.0f} s")
        res = {n: [] for n in sizes}
        for _ in range(max(1, rounds)):  # alternate the sizes, so both see the same machine load
            for n in sizes:
                out = _manage(envs[n], "shell", "-c", MEASURE.format(repeat=repeat, only=only))
                res[n].append(json.loads(out.split("RESULT ", 1)[1]))
        small, large = res[sizes[0]], res[sizes[-1]]
        stdout.write(format_comparison(backend, small, large))
        results[backend] = res
    return results
