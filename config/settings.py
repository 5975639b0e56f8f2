"""Hazardwatch settings: everything comes from the environment (see .env.example)."""
import hashlib
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env_bool, env_float, env_int, env_list, env_str

VAR_DIR = Path(env_str("HAZARDWATCH_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "dev-insecure-" + hashlib.sha256(str(BASE_DIR).encode()).hexdigest()
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "hazardwatch.core",
    "hazardwatch.places",
    "hazardwatch.accounts",
    "hazardwatch.criteria",
    "hazardwatch.reports",
    "hazardwatch.cases",
    "hazardwatch.risk",
    "hazardwatch.exposure",
    "hazardwatch.rewards",
    "hazardwatch.checklists",
    "hazardwatch.quizzes",
    "hazardwatch.campaigns",
    "hazardwatch.drills",
    "hazardwatch.apikeys",
    "hazardwatch.open311",
    "hazardwatch.webhooks",
    "hazardwatch.ops",
    "hazardwatch.insights",
    "hazardwatch.public",
    "hazardwatch.workbench",
    "hazardwatch.api",
    "hazardwatch.jobs",
    "hazardwatch.demo",
]

MIDDLEWARE = [
    "hazardwatch.core.middleware.RequestIdMiddleware",  # first: ids and one log line for every response
    "django.middleware.security.SecurityMiddleware",
    "hazardwatch.core.security.SecurityHeadersMiddleware",  # CSP and friends (docs/security.md)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hazardwatch.core.middleware.IgnoreAcceptLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hazardwatch.apikeys.middleware.ApiKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "workbench:login"
LOGIN_REDIRECT_URL = "workbench:queue"
LOGOUT_REDIRECT_URL = "public:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hazardwatch.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in WAL mode under var/ unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    # Health checks: a kept-open connection is tested before each request reuses it, so after a database restart
    # the first request gets a fresh connection instead of a 500 (the crash tests kill the database).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
                                                  conn_health_checks=True)}
    if env_str("HAZARDWATCH_TEST_DB_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": env_str("HAZARDWATCH_TEST_DB_NAME")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "hazardwatch.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE: a write transaction takes the lock at BEGIN, so read-then-write
                # transactions (the audit chain, case transitions) never fail to upgrade their lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Shared by every app and worker process: rate limits and schedule locks count across the cluster.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": env_str("HAZARDWATCH_CACHE_PREFIX") or "hw"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hazardwatch"}}

# Background tasks (docs/deploy.md): the database backend by default; RQ on Redis with HAZARDWATCH_TASKS=rq.
# TASKS_BACKEND (a dotted path) still overrides both, e.g. the immediate backend in some tests.
HAZARDWATCH_TASKS = env_str("HAZARDWATCH_TASKS") or "db"
if HAZARDWATCH_TASKS not in ("db", "rq"):
    raise ValueError("HAZARDWATCH_TASKS must be db or rq")
HAZARDWATCH_RQ_URL = env_str("HAZARDWATCH_RQ_URL") or REDIS_URL
if HAZARDWATCH_TASKS == "rq":
    if not HAZARDWATCH_RQ_URL:
        raise ValueError("HAZARDWATCH_TASKS=rq needs REDIS_URL (or HAZARDWATCH_RQ_URL)")
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db") + 1, "django_rq")
    # DEFAULT_TIMEOUT: a job running longer is killed and marked failed (photo work takes well under a minute).
    RQ_QUEUES = {"default": {"URL": HAZARDWATCH_RQ_URL,
                             "DEFAULT_TIMEOUT": env_int("HAZARDWATCH_RQ_JOB_TIMEOUT", 600)}}
_TASKS_DEFAULT = "django_tasks_rq.RQBackend" if HAZARDWATCH_TASKS == "rq" else "django_tasks_db.DatabaseBackend"
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND") or _TASKS_DEFAULT,
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Internationalisation: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "frontend" / "build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# S3-compatible object storage for media (photos, evidence, exports) when a bucket is named (docs/deploy.md).
# Keys may also come from the usual AWS_* environment or an instance role; objects stay private and every
# read goes through the access-checking views, which stream them from the bucket.
HAZARDWATCH_S3_BUCKET = env_str("HAZARDWATCH_S3_BUCKET", "")
if HAZARDWATCH_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": HAZARDWATCH_S3_BUCKET,
            "endpoint_url": env_str("HAZARDWATCH_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("HAZARDWATCH_S3_REGION", "") or None,
            "access_key": env_str("HAZARDWATCH_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("HAZARDWATCH_S3_SECRET_KEY", "") or None,
            "location": env_str("HAZARDWATCH_S3_PREFIX", ""),
            "default_acl": None,  # bucket policy decides; never public-read
            "querystring_auth": True,
            "file_overwrite": False,  # same semantics as the filesystem: a clash gets a new name
            "addressing_style": env_str("HAZARDWATCH_S3_ADDRESSING_STYLE", "") or None,  # "path" for MinIO etc.
        },
    }
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Media is never served publicly by URL: photos go through views that check access.
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HAZARDWATCH_MAX_REQUEST_BYTES", 70 * 1024 * 1024)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@hazardwatch.local")

# Security headers (HTTPS-only ones are switched on with DJANGO_SECURE=1 in production).
SECURE = env_bool("DJANGO_SECURE", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sessions end this many seconds after sign-in (default 12 h: one working day, not Django's two weeks).
SESSION_COOKIE_AGE = env_int("HAZARDWATCH_SESSION_SECONDS", 12 * 3600)
# Load balancers probe health over plain HTTP inside the network; everything else is redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
AUTHENTICATION_BACKENDS = ["hazardwatch.accounts.lockout.LockoutModelBackend"]
# Login lockout (docs/security.md): "failures/seconds" per username and per client, then locked for LOCKOUT.
HAZARDWATCH_LOGIN_FAILURES_USER = env_str("HAZARDWATCH_LOGIN_FAILURES_USER", "5/900")
HAZARDWATCH_LOGIN_FAILURES_CLIENT = env_str("HAZARDWATCH_LOGIN_FAILURES_CLIENT", "20/900")
HAZARDWATCH_LOGIN_LOCKOUT_SECONDS = env_int("HAZARDWATCH_LOGIN_LOCKOUT_SECONDS", 900)
# Two-factor sign-in (TOTP): roles that must enrol before they can use the site; issuer shown in the app.
HAZARDWATCH_TOTP_REQUIRED_ROLES = env_list("HAZARDWATCH_TOTP_REQUIRED_ROLES", ["regulator_leader"])
HAZARDWATCH_TOTP_ISSUER = env_str("HAZARDWATCH_TOTP_ISSUER", "Hazardwatch")

# Logs: plain text for development; HAZARDWATCH_LOG_FORMAT=json writes one JSON object per line with the
# request id and no personal data (hazardwatch/core/logging.py, docs/deploy.md "Logs").
HAZARDWATCH_LOG_FORMAT = env_str("HAZARDWATCH_LOG_FORMAT") or "text"
if HAZARDWATCH_LOG_FORMAT not in ("text", "json"):
    raise ValueError("HAZARDWATCH_LOG_FORMAT must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hazardwatch.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "hazardwatch.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             **({"formatter": "json"} if HAZARDWATCH_LOG_FORMAT == "json" else {})}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}, "bm25s": {"level": "WARNING"}, "jieba": {"level": "WARNING"},
                # Pillow logs every EXIF tag it reads at DEBUG (GPS and camera of a reporter's photo): never.
                "PIL": {"level": "INFO"},
                # The per-request line (RequestIdMiddleware): on in production (json), off in development,
                # where runserver prints its own.
                "hazardwatch.request": {"level": "INFO" if HAZARDWATCH_LOG_FORMAT == "json" else "WARNING"},
                # RQ workers: our handler and format instead of the one rqworker would add.
                "rq.worker": {"handlers": ["console"], "propagate": False}},
}

# --- Hazardwatch ---------------------------------------------------------------------------------
# Key that encrypts reporter identity at rest (Fernet, urlsafe base64 of 32 bytes). Derived from
# SECRET_KEY when unset, which is fine for development only.
HAZARDWATCH_IDENTITY_KEY = env_str("HAZARDWATCH_IDENTITY_KEY", "")
# Key for receipt-code hashes and rate-limit keys (HMAC). Derived from SECRET_KEY when unset.
HAZARDWATCH_RECEIPT_KEY = env_str("HAZARDWATCH_RECEIPT_KEY", "")
# Accepted area for reported points, WGS-84: south,west,north,east. Default: mainland China's bounds.
HAZARDWATCH_AREA_BBOX = [float(x) for x in env_list("HAZARDWATCH_AREA_BBOX", ["18.0", "73.4", "53.6", "135.1"])]
HAZARDWATCH_MAX_PHOTOS = env_int("HAZARDWATCH_MAX_PHOTOS", 6)
HAZARDWATCH_MAX_PHOTO_BYTES = env_int("HAZARDWATCH_MAX_PHOTO_BYTES", 10 * 1024 * 1024)
HAZARDWATCH_MAX_PHOTO_PIXELS = env_int("HAZARDWATCH_MAX_PHOTO_PIXELS", 50_000_000)
HAZARDWATCH_DESCRIPTION_MAX = env_int("HAZARDWATCH_DESCRIPTION_MAX", 2000)
# Rate limits: "count/seconds" per client for anonymous intake and receipt look-ups.
HAZARDWATCH_RATE_INTAKE = env_str("HAZARDWATCH_RATE_INTAKE", "20/3600")
HAZARDWATCH_RATE_LOOKUP = env_str("HAZARDWATCH_RATE_LOOKUP", "30/600")
# Likely-duplicate look-ups from the report form and the API, per client.
HAZARDWATCH_RATE_DUPLICATES = env_str("HAZARDWATCH_RATE_DUPLICATES", "60/600")
# Reports per identified reporter (keyed hash of the phone or e-mail), whatever client they come from.
HAZARDWATCH_RATE_REPORTER = env_str("HAZARDWATCH_RATE_REPORTER", "30/86400")
# Reports per device key (cameras and partner systems send more than people).
HAZARDWATCH_RATE_DEVICE = env_str("HAZARDWATCH_RATE_DEVICE", "600/3600")
# Duplicates (docs/duplicates.md): radius, time window, photo similarity, how many candidates to show.
HAZARDWATCH_DUPLICATE_RADIUS_M = env_float("HAZARDWATCH_DUPLICATE_RADIUS_M", 150.0)
HAZARDWATCH_DUPLICATE_PHOTO_RADIUS_M = env_float("HAZARDWATCH_DUPLICATE_PHOTO_RADIUS_M", 1000.0)
HAZARDWATCH_DUPLICATE_WINDOW_DAYS = env_int("HAZARDWATCH_DUPLICATE_WINDOW_DAYS", 30)
HAZARDWATCH_DUPLICATE_PHASH_DISTANCE = env_int("HAZARDWATCH_DUPLICATE_PHASH_DISTANCE", 12)
HAZARDWATCH_DUPLICATE_LIMIT = env_int("HAZARDWATCH_DUPLICATE_LIMIT", 5)
# "Was it fixed?": days after closure during which the reporter may answer.
HAZARDWATCH_FEEDBACK_WINDOW_DAYS = env_int("HAZARDWATCH_FEEDBACK_WINDOW_DAYS", 30)
# Review flag: reporters/devices with at least MIN reports of which at least SHARE were rejected as untrue.
HAZARDWATCH_UNTRUE_FLAG_SHARE = env_float("HAZARDWATCH_UNTRUE_FLAG_SHARE", 0.5)
HAZARDWATCH_UNTRUE_FLAG_MIN_REPORTS = env_int("HAZARDWATCH_UNTRUE_FLAG_MIN_REPORTS", 3)
# SMS backend: dotted path of a class with send(phone, text). Console by default.
HAZARDWATCH_SMS_BACKEND = env_str("HAZARDWATCH_SMS_BACKEND", "hazardwatch.integrations.sms.ConsoleSMSBackend")
# Map tiles for Leaflet: URL template and attribution (OSM default; Tianditu needs a key).
HAZARDWATCH_TILE_URL = env_str("HAZARDWATCH_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
HAZARDWATCH_TILE_ATTRIBUTION = env_str("HAZARDWATCH_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
# Coordinate system of the tile source: wgs84 (OSM; Tianditu's CGCS2000 is within centimetres of it) or gcj02
# (AMap, Tencent); with gcj02 the map pages shift points and cells for display and the viewport back for queries.
HAZARDWATCH_TILE_CRS = env_str("HAZARDWATCH_TILE_CRS", "wgs84")
if HAZARDWATCH_TILE_CRS not in ("wgs84", "gcj02"):
    raise ValueError("HAZARDWATCH_TILE_CRS must be wgs84 or gcj02")
HAZARDWATCH_MAP_CENTER = [float(x) for x in env_list("HAZARDWATCH_MAP_CENTER", ["34.7466", "113.6253"])]
HAZARDWATCH_SITE_NAME = env_str("HAZARDWATCH_SITE_NAME", "")
# Open311 GeoReport v2 (docs/open311.md): the jurisdiction_id values accepted (others → 404; none sent is fine).
HAZARDWATCH_OPEN311_JURISDICTIONS = env_list("HAZARDWATCH_OPEN311_JURISDICTIONS", ["hazardwatch.example"])
HAZARDWATCH_H3_RESOLUTIONS = (5, 7, 9)
HAZARDWATCH_OVERDUE_CHECK_MINUTES = env_float("HAZARDWATCH_OVERDUE_CHECK_MINUTES", 15.0)
HAZARDWATCH_STATS_REFRESH_MINUTES = env_float("HAZARDWATCH_STATS_REFRESH_MINUTES", 5.0)
# Worker crash recovery (jobs/recovery.py): each worker refreshes a heartbeat row this often (seconds); a task
# whose worker has not beaten for STALE seconds is queued again. STALE must exceed any pause of a live worker.
HAZARDWATCH_WORKER_HEARTBEAT_SECONDS = env_float("HAZARDWATCH_WORKER_HEARTBEAT_SECONDS", 5.0)
HAZARDWATCH_WORKER_STALE_SECONDS = env_float("HAZARDWATCH_WORKER_STALE_SECONDS", 60.0)
# Rewards: days a reporter has to claim an approved reward, days before that deadline when reminders go
# out (comma-separated), and how often the worker proposes, expires and reminds (minutes).
HAZARDWATCH_REWARD_CLAIM_DAYS = env_int("HAZARDWATCH_REWARD_CLAIM_DAYS", 60)
HAZARDWATCH_REWARD_REMINDER_DAYS = [int(x) for x in env_list("HAZARDWATCH_REWARD_REMINDER_DAYS", ["14", "3"])]
HAZARDWATCH_REWARD_CHECK_MINUTES = env_float("HAZARDWATCH_REWARD_CHECK_MINUTES", 60.0)
# Campaigns (docs/campaigns.md): how often the worker sends due deadline reminders (minutes; each goes out once).
HAZARDWATCH_CAMPAIGN_REMINDER_MINUTES = env_float("HAZARDWATCH_CAMPAIGN_REMINDER_MINUTES", 60.0)
# Quizzes (docs/quizzes.md): daily quiz size, time limit (s), points per correct answer, grace (s) for
# answers in flight at the limit, Redis key prefix, persistence batch size, and the bench-only echo endpoint.
HAZARDWATCH_QUIZ_DAILY_QUESTIONS = env_int("HAZARDWATCH_QUIZ_DAILY_QUESTIONS", 5)
HAZARDWATCH_QUIZ_DAILY_SECONDS = env_int("HAZARDWATCH_QUIZ_DAILY_SECONDS", 150)
HAZARDWATCH_QUIZ_POINTS = env_int("HAZARDWATCH_QUIZ_POINTS", 10)
HAZARDWATCH_QUIZ_GRACE_SECONDS = env_float("HAZARDWATCH_QUIZ_GRACE_SECONDS", 3.0)
HAZARDWATCH_QUIZ_REDIS_PREFIX = env_str("HAZARDWATCH_QUIZ_REDIS_PREFIX", "hw:quiz:")
HAZARDWATCH_QUIZ_PERSIST_BATCH = env_int("HAZARDWATCH_QUIZ_PERSIST_BATCH", 1000)
HAZARDWATCH_QUIZ_BENCH = env_bool("HAZARDWATCH_QUIZ_BENCH", False)
# Bench-only endpoints under /bench/ (POST /bench/insert, the yardstick of `hazardwatch bench intake`); never in production.
HAZARDWATCH_BENCH = env_bool("HAZARDWATCH_BENCH", False)
