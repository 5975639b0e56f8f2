# Hazardwatch — the two commands a fresh machine needs: `make demo` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PYTHON  ?= python3
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: install system-deps python-deps frontend messages demo demo-prod serve test test-sqlite test-postgres bench bench-quiz bench-crash clean

install: system-deps python-deps frontend messages

# Debian packages the project needs: Chromium for browser tests, gettext for translations, CJK fonts,
# Pango for PDF reports (WeasyPrint), the PostgreSQL client (pg_dump/psql) for `hazardwatch backup|restore`.
SYSTEM_PACKAGES := chromium gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 postgresql-client
system-deps:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }

python-deps: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e ".[test]"
	touch $@

# Front-end libraries come from the npm registry (package.json, pinned), copied into frontend/build.
frontend: frontend/build/.built
frontend/build/.built: package.json package-lock.json frontend/build.mjs $(wildcard frontend/src/*)
	npm ci --no-audit --no-fund --loglevel=error
	node frontend/build.mjs
	touch $@

messages: python-deps
	cd hazardwatch && ../$(PY) ../manage.py compilemessages -v0 --ignore=.venv

demo: install
	$(PY) manage.py migrate -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py criteria load
	$(PY) manage.py demo
	@echo "Hazardwatch demo on http://$(HOST):$(PORT)/ (staff: http://$(HOST):$(PORT)/staff/)"
	$(PY) manage.py worker & WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver --noreload $(HOST):$(PORT)

# The demo in production mode: PostgreSQL (hazardwatch_demo_prod), Redis DB 2, RQ workers, gunicorn on
# $(HOST):$(PORT), DEBUG off, JSON logs (docs/deploy.md). Ctrl-C stops it.
demo-prod: install
	GUNICORN_BIND=$(HOST):$(PORT) scripts/demo-prod.sh

test: install
	scripts/test.sh

# All benches, then one table against DESIGN.md §8 (docs/performance.md). The first run seeds the 1,000,000-hazard
# map and dashboard databases (long). BENCH_ARGS=--quick: small sizes, a smoke run; e.g. --skip map,dashboard.
BENCH_ARGS ?=
bench: install
	HAZARDWATCH_BENCH_QUIZ_DB=$(BENCH_QUIZ_DB) HAZARDWATCH_BENCH_QUIZ_REDIS=$(BENCH_QUIZ_REDIS) \
	  $(PY) manage.py bench all $(BENCH_ARGS)
	$(MAKE) --no-print-directory bench-crash

# Crash safety at bench size: SIGKILL app servers, a private PostgreSQL and workers during many larger bursts.
CRASH_CYCLES ?= 20
CRASH_N      ?= 150
bench-crash: install
	env -u DATABASE_URL HAZARDWATCH_CRASH_CYCLES=$(CRASH_CYCLES) HAZARDWATCH_CRASH_N=$(CRASH_N) \
	  $(PY) -m pytest -m crash -q -p no:cacheprovider hazardwatch/jobs/tests

# Quiz answer throughput on PostgreSQL + Redis vs a bare JSON endpoint (gunicorn, loopback); docs/quizzes.md.
BENCH_QUIZ_DB    ?= postgres://postgres@127.0.0.1:5432/hazardwatch_bench_quiz
BENCH_QUIZ_REDIS ?= redis://127.0.0.1:6379/14
bench-quiz: install
	DATABASE_URL=$(BENCH_QUIZ_DB) REDIS_URL=$(BENCH_QUIZ_REDIS) HAZARDWATCH_QUIZ_REDIS_PREFIX=hwbench:quiz: \
	  HAZARDWATCH_QUIZ_BENCH=1 $(PY) manage.py quizzes bench

clean:
	rm -rf $(VENV) node_modules frontend/build var/static
