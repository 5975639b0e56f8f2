"""Crash safety of report intake: SIGKILL the app server (and, on PostgreSQL, the database) during bursts of
anonymous submissions with photos, restart, and check that every acknowledged receipt is whole and that nothing
unacknowledged is half-stored.

Real processes: gunicorn serving the real WSGI app, a private PostgreSQL cluster started by the test, HTTP
clients on loopback. `make test` runs a few small cycles; scale with HAZARDWATCH_CRASH_CYCLES and
HAZARDWATCH_CRASH_N (e.g. 30 cycles x 200 submissions) for a long run.

These tests start their own servers and databases, so they do not depend on DATABASE_URL: they run once, in
the pass of `make test` without it.
"""
import json
import os
import random

import pytest

from hazardwatch.jobs.tests.crash_harness import AppServer, Burst, PrivatePostgres, Site, lookup, merge_manifests

CYCLES = int(os.environ.get("HAZARDWATCH_CRASH_CYCLES", "3"))
N = int(os.environ.get("HAZARDWATCH_CRASH_N", "20"))

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                       reason="crash tests start their own servers and databases; they run in the pass without "
                              "DATABASE_URL"),
]


def finish(site: Site, server, manifests, tmp_path) -> dict:
    """Stop the server, then in one process: re-enqueue the photo tasks lost between a commit and its enqueue
    (what the periodic recovery sweep does); let a worker make every derivative; check every report whole with
    its derivatives, sweep the orphans; verify the audit chain."""
    server.kill()
    merged = merge_manifests(manifests, tmp_path / "all.json")
    out = site.harness("finish", str(merged)).stdout
    result = json.loads(next(line for line in out.splitlines() if line.startswith('{"problems"')))
    assert result["problems"] == [], result["problems"]
    assert "audit chain OK" in out
    print(f"crash summary: {result}")  # shown with -s or -rP: acknowledged, stored unacknowledged, orphans swept
    return result


def burst_and_kill(url: str, cycle: int, killer) -> Burst:
    """N concurrent submissions; `killer` runs once somewhere between a fifth and a half of them acknowledged."""
    burst = Burst(url, N, seed=cycle + 1)
    kill_after = random.Random(cycle).randint(max(1, N // 5), max(1, N // 2))
    burst.run(kill_after=kill_after, killer=killer)
    assert len(burst.acks) >= kill_after, burst.statuses  # the kill came mid-burst, after some acknowledgements
    assert len(burst.acks) < N, "every submission was acknowledged: the kill did not land during the burst"
    return burst


def after_restart(server, burst) -> None:
    """The restarted server answers every receipt acknowledged before the kill (public status look-up)."""
    for receipt in burst.acks.values():
        assert lookup(server.url, receipt) == 200


def test_app_server_killed_during_bursts_keeps_every_acknowledged_report_whole(tmp_path, tmp_path_factory, request):
    site = Site.sqlite(tmp_path, tmp_path_factory.getbasetemp() / "crash-sqlite-template")
    request.addfinalizer(site.close)
    server = AppServer(site)
    server.start()
    manifests, total_acks = [], 0
    for cycle in range(CYCLES):
        burst = burst_and_kill(server.url, cycle, server.kill)
        manifests.append(burst.manifest(tmp_path / f"cycle{cycle}.json"))
        total_acks += len(burst.acks)
        server.start()
        after_restart(server, burst)
    result = finish(site, server, manifests, tmp_path)
    assert result["acknowledged"] == total_acks and result["reports"] >= total_acks


@pytest.fixture
def postgres():
    reason = PrivatePostgres.available()
    if reason:
        pytest.skip(reason)
    pg = PrivatePostgres()
    pg.init()
    pg.start()
    yield pg
    pg.destroy()


def test_app_server_and_postgres_killed_during_bursts_keep_every_acknowledged_report_whole(tmp_path, postgres,
                                                                                            request):
    site = Site(tmp_path, database_url=postgres.createdb("hw_crash"))
    request.addfinalizer(site.close)
    site.prepare()
    server = AppServer(site)
    server.start()
    manifests, killed = [], {"app": 0, "database": 0}
    for cycle in range(max(2, CYCLES)):
        target = "database" if cycle % 2 == 0 else "app"
        burst = burst_and_kill(server.url, cycle, postgres.kill if target == "database" else server.kill)
        killed[target] += 1
        manifests.append(burst.manifest(tmp_path / f"cycle{cycle}.json"))
        if target == "database":
            postgres.start()  # crash recovery replays the WAL; the app server reconnects on its own
        else:
            server.start()
        after_restart(server, burst)
    assert killed["app"] and killed["database"]
    finish(site, server, manifests, tmp_path)
