"""The project's settings: mode, apps, database, security, mail, Celery, SmartRecruiters,
operations, the APIs' framework and logging (jobboard.settings puts it together)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from jobboard.envconfig import (
    env,
    env_addresses,
    env_bool,
    env_broker_url,
    env_cache,
    env_choice,
    env_database,
    env_fernet_keys,
    env_float,
    env_http_url,
    env_int,
    env_list,
    env_networks,
    env_str,
)
from jobboard.logs import logging_config

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# .env is optional and never overrides the real environment.
if (BASE_DIR / ".env").is_file():
    environ_file = BASE_DIR / ".env"
    env.read_env(str(environ_file), overwrite=False)

# ---------------------------------------------------------------------------
# Mode
# ---------------------------------------------------------------------------
DJANGO_ENV = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when DJANGO_ENV=production")

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list host names, not '*'")
else:
    # Development only: a fixed key keeps sessions alive across restarts of `make run`.
    SECRET_KEY = env_str(
        "SECRET_KEY", "dev-only-insecure-key-0f4a8c2e9b7d6a5f3e1c0b9a8d7e6f5a4b3c2d1e0f"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

if PRODUCTION:
    # It becomes every liveUrl SmartRecruiters shows and every link we mail: no default.
    SITE_URL = env_http_url("SITE_URL", "", required=True, https=True)
else:
    SITE_URL = env_http_url("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = env_str("SITE_NAME", "Open Job Board")

# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    # Country names in the visitor's language for the apply form (its locale files).
    "django_countries",
    "drf_spectacular_sidecar",
    "jobboard",
    "jobboard.operations",
    "jobboard.board",
    "jobboard.searchengines",
    "partner.postings",
    "partner.applications",
    "partner.assessments",
]

SANDBOX_ENABLED = env_bool("SANDBOX_ENABLED", default=not PRODUCTION)
if PRODUCTION and SANDBOX_ENABLED:
    # The sandbox answers with a public demo key and master credentials.
    raise ImproperlyConfigured("SANDBOX_ENABLED must be false when DJANGO_ENV=production")
if SANDBOX_ENABLED:
    INSTALLED_APPS += ["partner.sandbox", "partner.sandbox.assessments"]

MIDDLEWARE = [
    "jobboard.logs.RequestIdMiddleware",
    "jobboard.operations.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jobboard.headers.SecurityHeadersMiddleware",
    # /api/v1/ only: any site may GET the public jobs API from a browser.
    "jobboard.board.api.cors.PublicApiCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "jobboard.i18n.PreferredLanguageRedirectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jobboard.urls"
WSGI_APPLICATION = "jobboard.wsgi.application"
ASGI_APPLICATION = "jobboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jobboard.context_processors.site",
                "jobboard.context_processors.languages",
                "jobboard.context_processors.script_messages",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite: several processes (web, worker, beat) share one file; wait for locks
    # instead of failing at once, and use WAL so readers do not block the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env_cache("CACHE_URL", "locmemcache://jobboard")}

# ---------------------------------------------------------------------------
# Auth, i18n, static and media
# ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# The board, alerts, the apply flow and the candidate's mails speak these (jobboard/i18n.py:
# English unprefixed, the others under /de/, /fr/, /es/, /pl/); the admin, the sandbox and
# the assessment vendor's pages stay English. Names in English here; the switcher shows
# each in its own language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("pl", "Polish"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["jobboard.formats"]
# The switcher's choice outlives the session; it is a preference, not a secret.
LANGUAGE_COOKIE_AGE = 365 * 86_400
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, hashed static files served by whitenoise; plain storage in development
    # so that `runserver` works without collectstatic.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Candidate uploads and assessment reports: never under MEDIA_URL, served only through views.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# ---------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------
# Fernet keys (comma-separated, newest first) for secrets stored in the database.
# The development key is public on purpose: it protects nothing but demo data.
FIELD_ENCRYPTION_KEY = env_fernet_keys(
    "FIELD_ENCRYPTION_KEY", [] if PRODUCTION else ["r3YvHAqTH-3QezC4ZTfv8VOInIDcaMeoz5EkoKq5hmo="]
)
if PRODUCTION and not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DJANGO_ENV=production")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent on every response by jobboard.headers. Scripts and styles from our origin only, as
# files (no inline code, handlers or style attributes anywhere in templates/); form-action
# also gets https://<each SMARTRECRUITERS_WEB_HOSTS> (redirects after consent, inline tests).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# Browser features no page of ours uses: switched off for every page (and any injected frame).
PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]  # fmt: skip
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the apply form's small script does not read it; Django default kept
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a TLS-terminating proxy: e.g. "HTTP_X_FORWARDED_PROTO,https".
    _proxy_header = env_list("SECURE_PROXY_SSL_HEADER", ["HTTP_X_FORWARDED_PROTO", "https"])
    if _proxy_header:
        if len(_proxy_header) != 2:
            raise ImproperlyConfigured(
                "SECURE_PROXY_SSL_HEADER must be 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https"
            )
        SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1])
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])
    # Health checks come from the orchestrator over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
else:
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The client's address behind reverse proxies (jobboard.clientaddr): how many proxies
# append to X-Forwarded-For, or which addresses are our proxies. Neither: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXY_NETWORKS = env_networks("TRUSTED_PROXY_NETWORKS")
if TRUSTED_PROXY_COUNT and TRUSTED_PROXY_NETWORKS:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS, not both")
if any(network.prefixlen == 0 for network in TRUSTED_PROXY_NETWORKS):
    # Trusting every address lets any client write its own X-Forwarded-For.
    raise ImproperlyConfigured("TRUSTED_PROXY_NETWORKS must not contain 0.0.0.0/0 or ::/0")

# ---------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------
_email = env.email_url_config(env_str("EMAIL_URL", "consolemail://"))
vars().update(_email)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Open Job Board <jobs@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------
# Celery
# ---------------------------------------------------------------------------
# The embedded default is kombu's filesystem transport: worker and beat are real
# processes that exchange messages through files under var/broker, so `make run`
# needs no broker service. Production sets CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        # A worker holding its prefetch count of messages looks again after this many
        # seconds. kombu's 1 s capped a worker at that count of tasks per second, however
        # short: beat's messages queued up and a new application waited behind them.
        "polling_interval": 0.2,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message not acknowledged within this window is handed to another worker.
        # Longer than the longest task time limit, so a slow task is not run twice.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 14 * 60, minimum=5)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Beat intervals, in seconds (the schedule itself lives in jobboard/celery.py).
HEARTBEAT_INTERVAL = env_int("HEARTBEAT_INTERVAL", 30, minimum=1)
SYNC_FEED_INTERVAL = env_int("SYNC_FEED_INTERVAL", 300, minimum=1)
OUTBOX_RELAY_INTERVAL = env_int("OUTBOX_RELAY_INTERVAL", 60, minimum=1)
LISTING_EXPIRY_INTERVAL = env_int("LISTING_EXPIRY_INTERVAL", 900, minimum=1)
# Keeps the keyword index of the newest listings on the current days (board.recent_index):
# a check of the catalog when nothing is due, a rebuild about once a day.
SEARCH_INDEX_REFRESH_INTERVAL = env_int("SEARCH_INDEX_REFRESH_INTERVAL", 3600, minimum=1)
RECONCILE_INTERVAL = env_int("RECONCILE_INTERVAL", 86_400, minimum=1)
JOB_ALERTS_INTERVAL = env_int("JOB_ALERTS_INTERVAL", 86_400, minimum=1)
APPLICATION_SWEEP_INTERVAL = env_int("APPLICATION_SWEEP_INTERVAL", 120, minimum=1)
APPLICATION_STATUS_POLL_INTERVAL = env_int("APPLICATION_STATUS_POLL_INTERVAL", 6 * 3600, minimum=1)
APPLICATION_ERASURE_INTERVAL = env_int("APPLICATION_ERASURE_INTERVAL", 3600, minimum=1)
ASSESSMENT_PUSH_INTERVAL = env_int("ASSESSMENT_PUSH_INTERVAL", 60, minimum=1)
ASSESSMENT_EXPIRY_INTERVAL = env_int("ASSESSMENT_EXPIRY_INTERVAL", 3600, minimum=1)
# Closes candidates' attempts whose time limit passed (their browser may be gone).
ASSESSMENT_TIMEOUT_INTERVAL = env_int("ASSESSMENT_TIMEOUT_INTERVAL", 60, minimum=1)
# Sends the search engines' notices a lost wake-up or a retry left waiting.
SEARCH_NOTIFY_INTERVAL = env_int("SEARCH_NOTIFY_INTERVAL", 60, minimum=1)

# ---------------------------------------------------------------------------
# SmartRecruiters
# ---------------------------------------------------------------------------
SMARTRECRUITERS_API_URL = env_http_url(
    "SMARTRECRUITERS_API_URL",
    f"{SITE_URL}/sandbox" if SANDBOX_ENABLED else "https://api.smartrecruiters.com",
    # Our key and tokens travel to this host: never in clear text in production.
    https=PRODUCTION,
)
# The sandbox accepts this well-known demo key; a real key comes from SmartRecruiters.
SANDBOX_DEFAULT_PARTNER_TOKEN = "sandbox-demo-partner-token-" + "0" * 37
SMARTRECRUITERS_PARTNER_TOKEN = env_str(
    "SMARTRECRUITERS_PARTNER_TOKEN", SANDBOX_DEFAULT_PARTNER_TOKEN if SANDBOX_ENABLED else ""
)
# The sandbox's demo partner holds the configured key, so a developer who sets
# SMARTRECRUITERS_PARTNER_TOKEN with the sandbox on is not answered 401.
SANDBOX_DEMO_PARTNER_TOKEN = SMARTRECRUITERS_PARTNER_TOKEN or SANDBOX_DEFAULT_PARTNER_TOKEN
if SANDBOX_ENABLED and len(SANDBOX_DEMO_PARTNER_TOKEN) > 128:
    raise ImproperlyConfigured(
        "SMARTRECRUITERS_PARTNER_TOKEN is longer than the sandbox's 128-character keys"
    )
SMARTRECRUITERS_APPLICATION_TOKEN = env_str(
    "SMARTRECRUITERS_APPLICATION_TOKEN", SMARTRECRUITERS_PARTNER_TOKEN
)
SMARTRECRUITERS_CLIENT_ID = env_str(
    "SMARTRECRUITERS_CLIENT_ID", "sandbox-master-client" if SANDBOX_ENABLED else ""
)
SMARTRECRUITERS_CLIENT_SECRET = env_str(
    "SMARTRECRUITERS_CLIENT_SECRET", "sandbox-master-secret" if SANDBOX_ENABLED else ""
)
if PRODUCTION and not SANDBOX_ENABLED and not SMARTRECRUITERS_PARTNER_TOKEN:
    raise ImproperlyConfigured("SMARTRECRUITERS_PARTNER_TOKEN must be set in production")

SMARTRECRUITERS_CONNECT_TIMEOUT = env_float("SMARTRECRUITERS_CONNECT_TIMEOUT", 10.0, minimum=0.1)
SMARTRECRUITERS_READ_TIMEOUT = env_float("SMARTRECRUITERS_READ_TIMEOUT", 60.0, minimum=0.1)
SMARTRECRUITERS_RATE_PER_SECOND = env_float("SMARTRECRUITERS_RATE_PER_SECOND", 8.0, minimum=0.1)
SMARTRECRUITERS_MAX_IN_FLIGHT = env_int("SMARTRECRUITERS_MAX_IN_FLIGHT", 8, minimum=1)
# SmartRecruiters' own limit (requests per key arriving in any second): theirs, not ours,
# so not read from the environment. Benchmarks against a stub without a limit raise it.
SMARTRECRUITERS_ARRIVALS_PER_SECOND = 10
# Where the rate budget per credential lives (partner/smartrecruiters/budget.py): Redis, so
# every web and worker process shares one budget per key, whenever the cache or the broker
# is Redis; memory:// (one budget per process) only for the embedded default.
_SHARED_REDIS = next(
    (url for url in (env_str("CACHE_URL", ""), CELERY_BROKER_URL) if url.startswith("redis")),
    "memory://",
)
SMARTRECRUITERS_BUDGET_URL = env_str("SMARTRECRUITERS_BUDGET_URL", _SHARED_REDIS)
if SMARTRECRUITERS_BUDGET_URL.split("://", 1)[0] not in {"memory", "redis", "rediss", "unix"}:
    raise ImproperlyConfigured(
        "SMARTRECRUITERS_BUDGET_URL must be memory:// or a redis://host:port/db URL"
    )
# Seconds a request waits for its turn before it fails as transient (the task retries).
SMARTRECRUITERS_BUDGET_WAIT = env_float("SMARTRECRUITERS_BUDGET_WAIT", 60.0, minimum=0.1)
SMARTRECRUITERS_MAX_RETRIES = env_int("SMARTRECRUITERS_MAX_RETRIES", 5, minimum=0)
SMARTRECRUITERS_BACKOFF_CAP = env_float("SMARTRECRUITERS_BACKOFF_CAP", 60.0, minimum=0.0)
SMARTRECRUITERS_BACKOFF_BASE = env_float("SMARTRECRUITERS_BACKOFF_BASE", 1.0, minimum=0.0)
# Web hosts of SmartRecruiters that may receive a browser redirect from us.
SMARTRECRUITERS_WEB_HOSTS = env_list(
    "SMARTRECRUITERS_WEB_HOSTS", ["www.smartrecruiters.com", "jobs.smartrecruiters.com"]
)

# ---------------------------------------------------------------------------
# Operations: readiness of the periodic jobs, alerts, metrics
# ---------------------------------------------------------------------------
# A job is overdue (readiness fails, an alert is mailed) when its last success is older
# than this many intervals; beat is dead when its heartbeat is.
JOB_OVERDUE_FACTOR = env_float("JOB_OVERDUE_FACTOR", 3.0, minimum=1.0)
# An outbox whose oldest due item waits longer than this (seconds) is behind.
OUTBOX_STALE_AFTER = env_int("OUTBOX_STALE_AFTER", 900, minimum=1)
# Mail the admins after this many feed passes failed in a row.
ALERT_FEED_FAILURES = env_int("ALERT_FEED_FAILURES", 3, minimum=1)
# How often each worker evaluates the alert conditions (seconds).
ALERT_CHECK_INTERVAL = env_int("ALERT_CHECK_INTERVAL", 60, minimum=1)
# Operators who get alert mails: "Name <email>, Other <email>".
ADMINS = env_addresses("ADMINS")
# /metrics is off unless a bearer token or client networks are configured.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS")
# A worker's own metrics endpoint (its tasks' counters); 0 = off. Keep it internal.
METRICS_WORKER_PORT = env_int("METRICS_WORKER_PORT", 0, minimum=0)
METRICS_WORKER_ADDR = env_str("METRICS_WORKER_ADDR", "0.0.0.0")  # noqa: S104 - inside a container

# Job Board API sync
FEED_STALE_AFTER = timedelta(seconds=env_int("FEED_STALE_AFTER", 3 * 300, minimum=60))

# ---------------------------------------------------------------------------
# REST framework (our inbound Assessment API)
# ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Job board partner API",
    "DESCRIPTION": "Every API this server serves: the public jobs API (/api/v1/jobs/, "
    "read-only, anonymous, CORS for GET) and the endpoints SmartRecruiters calls on us as "
    "an assessment vendor (Assessment API 2021, under /sr/assessments/). Browse it at "
    "/api/schema/swagger-ui/ or /api/schema/redoc/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc come from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", ("json", "text"))
LOGGING = logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
