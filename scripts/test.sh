#!/usr/bin/env bash
# Run the whole suite on SQLite, then again on PostgreSQL when 127.0.0.1:5432 answers. Fails if either fails.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${HAZARDWATCH_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

echo "== suite on SQLite"
env -u DATABASE_URL $PY -m pytest "$@"
sqlite_rc=$?

pg_rc=0
if $PY - <<'PYEOF'
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", 5432))
except OSError:
    sys.exit(1)
PYEOF
then
  echo "== suite on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $PY -m pytest "$@"
  pg_rc=$?
else
  echo "== PostgreSQL not reachable on 127.0.0.1:5432: skipped"
fi

if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "FAILED: sqlite=$sqlite_rc postgresql=$pg_rc"
  exit 1
fi
echo "OK: sqlite and postgresql suites passed"
