"""The intake bench in a tiny configuration (a smoke test: the figures themselves are checked by `make bench`,
never by timed tests), and the bench-only endpoint's absence in normal runs."""
import io
import json

import pytest
from django.core.management import call_command

from hazardwatch.jobs import bench_intake, loadgen


@pytest.mark.django_db
def test_bench_insert_endpoint_does_not_exist_without_hazardwatch_bench(client, settings):
    assert settings.HAZARDWATCH_BENCH is False
    response = client.post("/bench/insert", data=json.dumps({"x": 1}), content_type="application/json")
    assert response.status_code == 404


def test_table_rows_flag_a_lost_acknowledgement_and_a_low_ratio():
    good = {"clients": 4, "intake": 60.0, "bare": 100.0, "ratio": 0.6, "p50": 10, "p95": 20, "p99": 30,
            "latency_rate": 30.0, "acknowledged": 50, "stored": 50, "bare_acknowledged": 70, "bare_stored": 70,
            "app_rss_mb": 200, "app_rss_json_mb": 150, "worker_rss_mb": 120, "worker_rss_json_mb": 90,
            "generator_cpu": 0.1, "triaged": 50, "worker_triage_per_s": 40.0}
    bad = {**good, "ratio": 0.3, "stored": 49, "triaged": 49}
    rows = {row[0]: row for row in bench_intake.intake_rows({"sqlite": good, "postgresql": None})}
    assert rows["intake / bare (median of paired rounds)"][1:] == ("0.60", "—", "≥ 0.5", "ok")
    rows = {row[0]: row for row in bench_intake.intake_rows({"sqlite": good, "postgresql": bad})}
    assert rows["intake / bare (median of paired rounds)"][4] == "NO"
    assert rows["acknowledged receipts = stored reports"][2] == "49/50 (triaged 49), bare 70/70"
    assert rows["acknowledged receipts = stored reports"][4] == "NO"
    untriaged = {**good, "triaged": 48}  # stored, but the worker lost the triage of two
    rows = {row[0]: row for row in bench_intake.intake_rows({"sqlite": untriaged, "postgresql": None})}
    assert rows["acknowledged receipts = stored reports"][4] == "NO"


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert loadgen.percentile(values, 0.5) == 51
    assert loadgen.percentile(values, 0.99) == 99
    assert loadgen.percentile([7], 0.95) == 7


def test_intake_bench_smoke_run_on_sqlite_acknowledged_equals_stored(tmp_path):
    """Real gunicorn, real task worker, a few seconds of load on a fresh SQLite bench database."""
    out = io.StringIO()
    call_command("bench", "intake", "--quick", "--backends", "sqlite", "--bench-dir", str(tmp_path), "--clients", "4",
                 "--seconds", "1.5", "--rounds", "1", "--latency-seconds", "2", "--photo-reports", "1",
                 "--workers", "2", "--threads", "2", stdout=out)
    text = out.getvalue()
    table = [line for line in text.splitlines() if line.startswith("| ")]
    metrics = [line.split("|")[1].strip() for line in table]
    for expected in ("intake, anonymous API report, req/s (4 clients)",
                     "bare insert-one-row endpoint, req/s (same server)",
                     "intake / bare (median of paired rounds)",
                     "intake latency p50 / p95 / p99 ms at half that rate (open loop)",
                     "acknowledged receipts = stored reports"):
        assert expected in metrics, text
    acks = next(line for line in table if "acknowledged receipts = stored reports" in line)
    stored_vs_acked, bare = acks.split("|")[2].strip().split(", bare ")
    stored_vs_acked, triaged = stored_vs_acked.removesuffix(")").split(" (triaged ")
    stored, acked = (int(x) for x in stored_vs_acked.split("/"))
    assert acked > 0 and stored == acked == int(triaged), text
    bare_stored, bare_acked = (int(x) for x in bare.split("/"))
    assert bare_acked > 0 and bare_stored == bare_acked, text
    assert "synchronous=FULL" in text
