"""Bench-only endpoints, mounted under /bench/ only when HAZARDWATCH_BENCH is on (config/urls.py); normal runs
answer 404 there (tested in jobs/tests/test_bench_intake.py).

`POST /bench/insert` is the yardstick of `hazardwatch bench intake` (docs/performance.md): the least a durable
write over HTTP costs on the same gunicorn server, middleware and database as the real intake, namely parse a
small JSON body, insert one row in a transaction, commit (SQLite synchronous=FULL, PostgreSQL
synchronous_commit on), answer 201 with the row id. The table is raw SQL (`bench_table_create`), not a model,
so that nothing of it exists in the schema of a normal installation.
"""
import json

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TABLE = "hw_bench_insert"


def bench_table_create() -> None:
    """Create the bench table in the configured database (idempotent)."""
    if connection.vendor == "postgresql":
        ddl = (f"CREATE TABLE IF NOT EXISTS {TABLE} (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, "
               f"body TEXT NOT NULL)")
    else:
        ddl = (f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, "
               f"body TEXT NOT NULL)")
    with connection.cursor() as cursor:
        cursor.execute(ddl)


def bench_table_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return cursor.fetchone()[0]


@csrf_exempt
@require_POST
def bench_insert(request):
    """Insert the JSON body as one row and commit; 400 when the body is not JSON."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"message": "The body must be JSON."}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (created_at, body) VALUES (%s, %s) RETURNING id",
                       [timezone.now(), json.dumps(body, ensure_ascii=False)])
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    path("insert", bench_insert, name="bench-insert"),
]
