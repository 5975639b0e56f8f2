#!/usr/bin/env bash
# The demo in production mode (docs/deploy.md): PostgreSQL + Redis + RQ workers + gunicorn, JSON logs, DEBUG off.
# Uses this machine's PostgreSQL (database hazardwatch_demo_prod, created when missing) and Redis (DB 2).
# Every setting can be overridden from the environment; Ctrl-C (or SIGTERM) stops the workers and gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hazardwatch_demo_prod}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/2}
export HAZARDWATCH_TASKS=${HAZARDWATCH_TASKS:-rq}
export HAZARDWATCH_LOG_FORMAT=${HAZARDWATCH_LOG_FORMAT:-json}
export HAZARDWATCH_CACHE_PREFIX=${HAZARDWATCH_CACHE_PREFIX:-hwdemo}
export DJANGO_DEBUG=0
# Plain HTTP on loopback: no HTTPS redirect or secure-only cookies here (a real deployment sets DJANGO_SECURE=1
# behind its TLS-terminating load balancer).
export DJANGO_SECURE=${DJANGO_SECURE:-0}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
export HAZARDWATCH_VAR_DIR=${HAZARDWATCH_VAR_DIR:-$PWD/var/demo-prod}
export MEDIA_ROOT=${MEDIA_ROOT:-$HAZARDWATCH_VAR_DIR/media}
export STATIC_ROOT=${STATIC_ROOT:-$PWD/var/static}
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:8000}
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-3}
WORKERS=${HAZARDWATCH_DEMO_WORKERS:-2}
mkdir -p "$HAZARDWATCH_VAR_DIR"

# A real secret key, kept across restarts so sessions survive (the development fallback is refused in prod).
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  SECRET_FILE="$HAZARDWATCH_VAR_DIR/secret_key"
  [ -s "$SECRET_FILE" ] || { umask 077; $PY -c "import secrets; print(secrets.token_urlsafe(50))" > "$SECRET_FILE"; }
  DJANGO_SECRET_KEY=$(cat "$SECRET_FILE")
  export DJANGO_SECRET_KEY
fi

echo "== database: $($PY - <<'PYEOF'
import os, dj_database_url, psycopg
from psycopg import sql
cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
kw = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
          password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True)
with psycopg.connect(**kw) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
        print(cfg["NAME"], "exists")
    else:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
        print(cfg["NAME"], "created")
PYEOF
)"

$PY manage.py migrate -v0
$PY manage.py collectstatic --noinput -v0
# Criteria and the demo city only into an empty database. Seeding queues into the database backend (not RQ):
# the demo drops its notifications to fictional phone numbers from there; the rest is run right away.
if [ "$($PY manage.py shell -c 'from hazardwatch.criteria.models import Standard; print(Standard.objects.exists())' 2>/dev/null | tail -1)" != "True" ]; then
  $PY manage.py criteria load
fi
if [ "$($PY manage.py shell -c 'from hazardwatch.demo.seed import demo_exists; print(demo_exists())' 2>/dev/null | tail -1)" != "True" ]; then
  TASKS_BACKEND=django_tasks_db.DatabaseBackend $PY manage.py demo
  TASKS_BACKEND=django_tasks_db.DatabaseBackend $PY manage.py worker --batch --no-schedule -v0 >/dev/null
fi

PIDS=()
stop() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

for _ in $(seq "$WORKERS"); do
  nice -n 10 $PY manage.py worker & PIDS+=($!)  # below gunicorn: acknowledgements first (docs/deploy.md)
done
echo "== Hazardwatch (production mode) on http://$GUNICORN_BIND/  readiness: http://$GUNICORN_BIND/readyz"
.venv/bin/gunicorn -c config/gunicorn.conf.py & PIDS+=($!)
wait -n "${PIDS[@]}"  # one process ending ends the demo (the trap stops the others)
