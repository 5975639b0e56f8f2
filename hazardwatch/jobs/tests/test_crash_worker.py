"""Crash safety of background work: SIGKILL a `hazardwatch worker` in the middle of a task, start a worker again,
and the task runs again with its effect once.

Real processes: worker subprocesses on a SQLite database of their own (and on a private PostgreSQL cluster),
with a pause planted at a point of the task (crash_harness.cmd_worker) so the kill lands exactly there:
- inside the intake transaction of an Open311 batch request (nothing committed yet);
- after that transaction committed, before the worker marked the task successful (the rerun must not
  take the report in twice);
- right after the SMS to the reporter left (the rerun must not send it twice).
A live worker's task is never taken over, however long it runs: only a worker whose heartbeat stopped loses it.
"""
import os
import time

import pytest

from hazardwatch.jobs.tests.crash_harness import PY, PrivatePostgres, Site, kill_group

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                       reason="crash tests start their own workers and databases; they run in the pass without "
                              "DATABASE_URL"),
]

STALE = 5.0  # HAZARDWATCH_WORKER_STALE_SECONDS in crash_harness.Site


def start_worker(site: Site, pause: str = "", marker=None):
    extra = {"HW_CRASH_PAUSE": pause, "HW_CRASH_MARKER": str(marker or "")} if pause else {}
    return site.popen([PY, "-m", "hazardwatch.jobs.tests.crash_harness", "worker"], "worker.log", extra_env=extra)


def wait_for(path, proc, timeout=90.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"worker exited with {proc.returncode} before reaching the pause"
        assert time.monotonic() < deadline, f"the worker never reached {path.name}"
        time.sleep(0.1)


def sms_count(site: Site) -> int:
    log = site.root / "sms.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def run_scenarios(site: Site, tmp_path) -> None:
    tokens = []
    for point in ("intake", "after", "sms"):
        token = site.harness("open311-batch").stdout.strip().splitlines()[-1]
        tokens.append(token)
        before = site.worker_state(tokens)
        marker = tmp_path / f"{point}.marker"
        first = start_worker(site, point, marker)
        wait_for(marker, first)
        second = None
        if point == "sms":
            # Not holding a write transaction here, so a second worker runs beside the paused one: well past the
            # stale limit it must leave the live worker's task alone.
            workers_before = site.sql("SELECT COUNT(*) FROM jobs_workerheartbeat")[0][0]
            second = start_worker(site)
            deadline = time.monotonic() + 90
            while site.sql("SELECT COUNT(*) FROM jobs_workerheartbeat")[0][0] == workers_before:
                assert time.monotonic() < deadline and second.poll() is None, "the second worker did not start"
                time.sleep(0.2)
            time.sleep(STALE + 2.5)  # the second worker is beating and recovering all this time
            stuck = [t for t in site.worker_state(tokens)["tasks"] if t["status"] == "RUNNING"]
            assert [(t["path"], t["workers"]) for t in stuck] == [("case_notify_reporter", 1)], stuck
            assert sms_count(site) == len(tokens)
        kill_group(first)

        killed = site.worker_state(tokens)
        running = [t for t in killed["tasks"] if t["status"] == "RUNNING"]
        assert len(running) == 1, killed  # the kill left the task claimed by a dead worker
        if point == "intake":
            assert killed["requests"][token]["state"] == "pending" and killed["reports"] == before["reports"]
        else:
            assert killed["requests"][token]["state"] == "done" and killed["reports"] == before["reports"] + 1

        second = second or start_worker(site)
        done = site.wait_tasks_done(tokens)
        kill_group(second)
        assert done["requests"][token]["state"] == "done", done
        assert done["reports"] == before["reports"] + 1, done  # the request was taken in once
        assert {t["status"] for t in done["tasks"]} == {"SUCCESSFUL"}, done["tasks"]
        rerun = [t for t in done["tasks"] if t["workers"] == 2]
        assert len(rerun) == len(tokens), done["tasks"]  # exactly the killed tasks (one per scenario) ran twice
        assert sms_count(site) == len(tokens) == done["notifications"]  # one SMS per request, never two
    verify = site.manage("audit", "verify", check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_worker_killed_inside_tasks_runs_them_again_with_their_effect_once(tmp_path, tmp_path_factory):
    site = Site.sqlite(tmp_path, tmp_path_factory.getbasetemp() / "crash-sqlite-template")
    try:
        run_scenarios(site, tmp_path)
    finally:
        site.close()


def test_worker_killed_inside_tasks_on_postgres_runs_them_again_with_their_effect_once(tmp_path):
    reason = PrivatePostgres.available()
    if reason:
        pytest.skip(reason)
    pg = PrivatePostgres()
    try:
        pg.init()
        pg.start()
        site = Site(tmp_path, database_url=pg.createdb("hw_crash_worker"))
        site.prepare()
        try:
            run_scenarios(site, tmp_path)
        finally:
            site.close()
    finally:
        pg.destroy()
