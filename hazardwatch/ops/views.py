"""Health and readiness for load balancers and orchestrators (docs/deploy.md, "Health and readiness").

- /healthz: the process answers. No database, no cache: a failing database must not get every app server
  restarted, only taken out of rotation.
- /readyz: this process can serve traffic now: database query, cache round-trip, migrations applied, task
  backend reachable, media storage writable. 200 when all pass, 503 naming the checks that failed.

Output names checks and exception classes only: never messages, which can hold a DSN, a host or a key.
Both are GET/HEAD, never cached, and exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT).
"""
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

# Once every migration is found applied, a running process keeps that answer: migrations are not unapplied
# under a live server, and building the migration graph costs tens of milliseconds.
_migrations_ok = False


@require_safe
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request):
    checks = {}
    started = time.perf_counter()
    for name, check in CHECKS:
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the class name says which
            checks[name] = f"fail: {type(exc).__name__}"
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if ready else "fail", "checks": checks,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    return JsonResponse(body, status=200 if ready else 503)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("unexpected answer")


def check_cache() -> None:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("cache did not return the value just written")
    finally:
        cache.delete(key)


def check_migrations() -> None:
    global _migrations_ok
    if _migrations_ok:
        return
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")
    _migrations_ok = True


def check_tasks() -> None:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == "django_tasks_rq.RQBackend":
        import django_rq

        django_rq.get_connection("default").ping()
    elif backend == "django_tasks_db.DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("id").first()  # the queue table exists and answers
    # Other backends (immediate, dummy) run in-process: nothing to reach.


def check_storage() -> None:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = [
    ("database", check_database),
    ("cache", check_cache),
    ("migrations", check_migrations),
    ("tasks", check_tasks),
    ("storage", check_storage),
]
