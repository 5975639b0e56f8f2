"""/healthz and /readyz through HTTP: what load balancers see (docs/deploy.md, "Health and readiness")."""
import pytest

from hazardwatch.ops import views

DEAD_REDIS = "redis://:s3cret-pass@127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any database access raise, so this fails if /healthz queries.
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}
    assert "no-cache" in resp["Cache-Control"] or "no-store" in resp["Cache-Control"]


def test_healthz_accepts_head_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_reports_every_check_ok(client):
    resp = client.get("/readyz")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "migrations": "ok", "tasks": "ok", "storage": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_cache_when_redis_is_down_and_leaks_no_secret(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}
    resp = client.get("/readyz")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "fail"
    assert body["checks"]["cache"].startswith("fail")
    assert body["checks"]["database"] == "ok"
    assert "s3cret" not in resp.content.decode() and "127.0.0.1" not in resp.content.decode()


@pytest.mark.django_db
def test_readyz_is_503_when_media_storage_is_not_writable(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["storage"].startswith("fail")
    assert resp.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_rq_task_backend_is_unreachable(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": DEAD_REDIS}}
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["tasks"].startswith("fail")
    assert "s3cret" not in resp.content.decode()


@pytest.mark.django_db
def test_readyz_is_503_while_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(views, "_migrations_ok", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["migrations"].startswith("fail")


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https_but_pages_are(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    resp = client.get("/")
    assert resp.status_code == 301 and resp["Location"].startswith("https://")
