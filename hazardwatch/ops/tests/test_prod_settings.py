"""Production mode wiring (docs/deploy.md): settings chosen from the environment, Redis shared by processes,
S3-compatible media, and tasks on RQ enqueued only on commit and run by `manage.py worker`.

Redis tests use 127.0.0.1:6379 database 13 and delete only their own keys; they are skipped when Redis is
not running. S3 is emulated in-process by moto (no network).
"""
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_tasks import task

ROOT = Path(__file__).resolve().parents[3]
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


def _settings_in_fresh_process(**env) -> dict:
    """Import config.settings with this environment in a new interpreter (settings read env at import)."""
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({'tasks': s.TASKS['default']['BACKEND'], 'apps': s.INSTALLED_APPS,\n"
        " 'storage': s.STORAGES['default'], 'cache': s.CACHES['default']['BACKEND'],\n"
        " 'handler': s.LOGGING['handlers']['console'], 'rq': getattr(s, 'RQ_QUEUES', None)}, default=str))\n"
    )
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("HAZARDWATCH_S3", "HAZARDWATCH_TASKS", "HAZARDWATCH_LOG", "TASKS_BACKEND"))
            and k != "REDIS_URL"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    if done.returncode != 0:
        return {"error": done.stderr}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- settings chosen from the environment ------------------------------------------------------------------

def test_embedded_default_uses_database_tasks_local_files_and_text_logs():
    s = _settings_in_fresh_process()
    assert s["tasks"] == "django_tasks_db.DatabaseBackend"
    assert "django_rq" not in s["apps"] and s["rq"] is None
    assert s["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert s["cache"].endswith("LocMemCache")
    assert "formatter" not in s["handler"]


def test_production_environment_selects_rq_s3_redis_and_json_logs():
    s = _settings_in_fresh_process(
        REDIS_URL="redis://127.0.0.1:6379/2", HAZARDWATCH_TASKS="rq", HAZARDWATCH_LOG_FORMAT="json",
        HAZARDWATCH_S3_BUCKET="hw-media", HAZARDWATCH_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        HAZARDWATCH_S3_ACCESS_KEY="AK", HAZARDWATCH_S3_SECRET_KEY="SK")
    assert s["tasks"] == "django_tasks_rq.RQBackend"
    assert "django_rq" in s["apps"]
    assert s["rq"]["default"]["URL"] == "redis://127.0.0.1:6379/2"
    assert s["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s["storage"]["OPTIONS"]["bucket_name"] == "hw-media"
    assert s["storage"]["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert s["storage"]["OPTIONS"]["default_acl"] is None
    assert s["cache"].endswith("RedisCache")
    assert s["handler"]["formatter"] == "json"


def test_rq_tasks_without_redis_fail_loudly():
    s = _settings_in_fresh_process(HAZARDWATCH_TASKS="rq")
    assert "HAZARDWATCH_TASKS=rq needs REDIS_URL" in s.get("error", "")


# --- Redis: one counter for every process ------------------------------------------------------------------

@pytest.fixture
def redis_cache(settings):
    """The default cache on Redis DB 13 under a prefix of its own; its keys are deleted afterwards."""
    client = _redis()
    prefix = f"hwtest-prod-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_TEST_URL, "KEY_PREFIX": prefix}}
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_two_cache_clients_see_the_same_rate_limit_counter(redis_cache, settings):
    from django.core.cache.backends.redis import RedisCache

    from hazardwatch.core.ratelimit import check_rate_key

    settings.HAZARDWATCH_RATE_INTAKE = "100/3600"
    for _ in range(3):
        check_rate_key("intake", "a" * 40)
    # A second client with its own connection pool, as another app server would have.
    other = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": redis_cache})
    keys = [k for k in _redis().scan_iter(f"{redis_cache}:*") if b":rl:intake:" in k]
    assert len(keys) == 1
    assert other.get(keys[0].decode().split(":", 2)[2]) == 3


def test_rate_limit_counts_hits_from_another_process(redis_cache, settings):
    from hazardwatch.core.errors import RateLimited
    from hazardwatch.core.ratelimit import check_rate_key

    rate = "3/1000000000"  # one window for decades: no bucket boundary between the two processes
    settings.HAZARDWATCH_RATE_INTAKE = rate
    script = ("import django; django.setup()\n"
              "from hazardwatch.core.ratelimit import check_rate_key\n"
              "for _ in range(3): check_rate_key('intake', 'b' * 40)\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": REDIS_TEST_URL,
           "HAZARDWATCH_CACHE_PREFIX": redis_cache, "HAZARDWATCH_RATE_INTAKE": rate}
    env.pop("HAZARDWATCH_TASKS", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    check_rate_key("intake", "c" * 40)  # another client is not limited
    with pytest.raises(RateLimited):
        check_rate_key("intake", "b" * 40)


def test_periodic_jobs_are_claimed_by_one_worker_per_interval(redis_cache):
    from django.core.cache.backends.redis import RedisCache

    from hazardwatch.jobs.management.commands.worker import claim_schedule_slot

    interval = 10**9  # one slot for decades: no slot boundary inside the test
    assert claim_schedule_slot("hazardwatch.tests.job", interval) is True
    assert claim_schedule_slot("hazardwatch.tests.job", interval) is False
    assert claim_schedule_slot("hazardwatch.tests.other_job", interval) is True
    # Another worker's cache client (its own connection pool) finds the slot taken.
    other = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": redis_cache})
    assert other.add(f"schedule:hazardwatch.tests.job:{int(time.time() // interval)}", 1) is False
    assert other.add(f"schedule:hazardwatch.tests.third_job:{int(time.time() // interval)}", 1) is True


# --- S3-compatible media ------------------------------------------------------------------------------------

@pytest.fixture
def s3_bucket(settings, tmp_path):
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="hw-test-media")
        settings.STORAGES = {**settings.STORAGES, "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "hw-test-media", "region_name": "us-east-1", "access_key": "test",
                        "secret_key": "test", "default_acl": None, "file_overwrite": False}}}
        yield boto3.client("s3", region_name="us-east-1")


@pytest.mark.django_db
def test_report_photos_and_derivatives_go_to_the_bucket_and_are_served_from_it(
        client, city, make_jpeg, s3_bucket, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/api/v1/reports", {
            "data": json.dumps({"description": "配电箱电线老化裸露", "latitude": 34.78, "longitude": 113.672,
                                "category": "fire_equipment"}),
            "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})
    assert resp.status_code == 201, resp.content
    keys = sorted(o["Key"] for o in s3_bucket.list_objects_v2(Bucket="hw-test-media").get("Contents", []))
    assert len(keys) == 3, keys  # original, copy without metadata, thumbnail
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.jpg"))

    from hazardwatch.reports.models import ReportPhoto

    photo = ReportPhoto.objects.get()
    assert photo.stripped.name in keys and photo.thumbnail.name in keys
    client.force_login(city.admin_chen)
    served = client.get(f"/staff/photos/report/{photo.pk}/")
    assert served.status_code == 200
    body = b"".join(served.streaming_content)
    stored = s3_bucket.get_object(Bucket="hw-test-media", Key=photo.stripped.name)["Body"].read()
    assert body == stored and body[:2] == b"\xff\xd8"


@pytest.mark.django_db
def test_readyz_writes_to_the_bucket(client, s3_bucket):
    resp = client.get("/readyz")
    assert resp.json()["checks"]["storage"] == "ok"
    assert s3_bucket.list_objects_v2(Bucket="hw-test-media").get("KeyCount", 0) == 0  # probe file removed


# --- tasks on RQ ---------------------------------------------------------------------------------------------

@pytest.fixture
def rq_tasks(settings):
    """Tasks on RQ (Redis DB 13, queue "default"); the jobs this test creates are deleted afterwards."""
    from django_tasks.signals import task_enqueued

    client = _redis()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL}}
    ids = []

    def collect(sender, task_result, **kwargs):
        ids.append(task_result.id)

    task_enqueued.connect(collect, dispatch_uid="test-prod-rq")
    yield ids
    task_enqueued.disconnect(dispatch_uid="test-prod-rq")
    registries = ("rq:wip:default", "rq:finished:default", "rq:failed:default", "rq:scheduled:default")
    for job_id in ids:
        client.lrem("rq:queue:default", 0, job_id)
        for key in client.scan_iter(f"rq:*{job_id}*"):
            client.delete(key)
        for registry in registries:  # members are "<job id>" or "<job id>:<execution id>"
            for member in client.zrange(registry, 0, -1):
                if member.decode().split(":")[0] == job_id:
                    client.zrem(registry, member)


def _queued(job_ids) -> list[str]:
    return [j.decode() for j in _redis().lrange("rq:queue:default", 0, -1) if j.decode() in job_ids]


def _submit(client, make_jpeg):
    return client.post("/api/v1/reports", {
        "data": json.dumps({"description": "配电箱电线老化裸露", "latitude": 34.78, "longitude": 113.672,
                            "category": "fire_equipment"}),
        "photos": [SimpleUploadedFile("a.jpg", make_jpeg(), "image/jpeg")]})


@pytest.mark.django_db(transaction=True)
def test_rq_jobs_are_enqueued_on_commit_and_run_by_the_worker(client, city, make_jpeg, rq_tasks):
    from django.core.management import call_command

    from hazardwatch.reports.models import ReportPhoto

    with transaction.atomic():
        assert _submit(client, make_jpeg).status_code == 201
        assert rq_tasks == []  # inside the transaction: nothing reaches Redis yet
    assert len(rq_tasks) == 2 and sorted(_queued(rq_tasks)) == sorted(rq_tasks)  # triage, photos
    photo = ReportPhoto.objects.get()
    assert not photo.stripped and photo.report.case is None
    call_command("worker", "--batch", "--no-schedule", "--simple")
    photo.refresh_from_db()
    assert photo.stripped and photo.thumbnail and photo.report.case is not None
    from django_tasks import default_task_backend

    # The triage opened the case, whose first event enqueued the reporter notice (on its own commit).
    assert len(rq_tasks) == 3
    assert [default_task_backend.get_result(i).status for i in rq_tasks] == ["SUCCESSFUL"] * 3
    assert _queued(rq_tasks) == []


@pytest.mark.django_db(transaction=True)
def test_rq_job_of_a_rolled_back_submission_is_never_enqueued(client, city, make_jpeg, rq_tasks):
    from hazardwatch.reports.models import Report

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            assert _submit(client, make_jpeg).status_code == 201
            raise RuntimeError("the surrounding transaction fails")
    assert rq_tasks == [] and not Report.objects.exists()


@task()
def marker_task(path: str) -> None:
    """Test task: notes its start, waits while `<path>.hold` exists (at most a minute), then notes its effect."""
    with open(path, "a") as fh:
        fh.write("start\n")
    deadline = time.monotonic() + 60
    while os.path.exists(path + ".hold") and time.monotonic() < deadline:
        time.sleep(0.1)
    with open(path, "a") as fh:
        fh.write("done\n")


def test_rq_job_whose_worker_is_killed_runs_again_with_its_effect_once(rq_tasks, tmp_path):
    """SIGKILL a real RQ worker process in the middle of a job: RQ alone would leave the job failed for good;
    the worker's recovery pass queues it again and the next worker completes it, once."""
    import signal

    import django_rq
    from django.core.management import call_command

    from hazardwatch.jobs.management.commands.worker import rq_requeue_abandoned

    marker = tmp_path / "marker.txt"
    hold = tmp_path / "marker.txt.hold"
    hold.write_text("")
    result = marker_task.enqueue(str(marker))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": REDIS_TEST_URL,
           "HAZARDWATCH_TASKS": "rq", "HAZARDWATCH_CACHE_PREFIX": f"hwtest-prod-{uuid.uuid4().hex[:12]}"}
    worker = subprocess.Popen([sys.executable, "manage.py", "worker", "--no-schedule", "--simple"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not (marker.exists() and "start" in marker.read_text()):
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never started the job"
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    hold.unlink()
    queue = django_rq.get_queue("default")
    assert queue.fetch_job(result.id).get_status() == "started"  # what the dead worker left behind
    assert _queued(rq_tasks) == [] and marker.read_text() == "start\n"

    # An hour later as far as RQ's expiry is concerned (the execution's heartbeat stopped with the worker).
    assert rq_requeue_abandoned(now=time.time() + 3600) == 1
    assert _queued(rq_tasks) == [result.id]
    assert rq_requeue_abandoned(now=time.time() + 3600) == 0  # not twice

    call_command("worker", "--batch", "--no-schedule", "--simple")
    assert marker.read_text().splitlines() == ["start", "start", "done"]
    assert queue.fetch_job(result.id).get_status() == "finished"


def test_rq_job_that_failed_on_its_own_is_not_requeued(rq_tasks, tmp_path):
    import django_rq
    from django.core.management import call_command

    from hazardwatch.jobs.management.commands.worker import rq_requeue_abandoned

    result = marker_task.enqueue(str(tmp_path / "missing-dir" / "marker.txt"))  # raises FileNotFoundError
    call_command("worker", "--batch", "--no-schedule", "--simple")
    assert django_rq.get_queue("default").fetch_job(result.id).get_status() == "failed"
    assert rq_requeue_abandoned(now=time.time() + 3600) == 0
    assert _queued(rq_tasks) == []
