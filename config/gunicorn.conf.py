"""gunicorn settings for production mode (docs/deploy.md): `gunicorn -c config/gunicorn.conf.py`.

Everything comes from the environment so one file serves every node:
- GUNICORN_BIND (127.0.0.1:8000), GUNICORN_WORKERS (2 x cores + 1, at most 8 by default), GUNICORN_THREADS (4);
- GUNICORN_TIMEOUT (30 s) and GUNICORN_GRACEFUL_TIMEOUT (30 s): in-flight requests finish on SIGTERM;
- GUNICORN_MAX_REQUESTS (2000) with jitter: workers are recycled one at a time, bounding slow memory growth.
Access logs are off: RequestIdMiddleware writes one line per request without addresses or query strings
(gunicorn's access log would write both). gunicorn's own messages follow HAZARDWATCH_LOG_FORMAT.
"""
import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or min(multiprocessing.cpu_count() * 2 + 1, 8))
# Threads: requests mostly wait on PostgreSQL and Redis; threads share a worker's memory (gthread worker).
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 2000)
max_requests_jitter = max_requests // 10
# The heartbeat file lives in memory: a slow or full disk must not make the arbiter kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Headers from the load balancer (X-Forwarded-Proto) are trusted only from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = False  # each worker imports the app itself: a bad deploy fails workers, not the arbiter
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "hazardwatch"

if os.environ.get("HAZARDWATCH_LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "hazardwatch.core.logging.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                                 "stream": "ext://sys.stderr"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
