"""The one settings module. Every value comes from the environment; defaults run on a laptop.

Embedded defaults (nothing to install): SQLite in var/, a filesystem Celery broker in var/broker/,
mail written as .eml files to var/mail/ (listed at /_mail/ while DEBUG is on).
Production: set PAPERBOY_ENV=production, SECRET_KEY, DATABASE_URL, REDIS_URL, EMAIL_URL or an
anymail ESP, SITE_URL and ALLOWED_HOSTS. See docs/configuration.md for every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.environment import _get, _strict_bool, env
from config.esp import webhook_problem
from config.logfilters import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


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
# consumes all of them (`make run`); production runs one worker per queue (docs/production.md).
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

from config.knobs import *  # noqa: E402, F403 (product knobs: digest hour, limits, retries)

if PRODUCTION and CHANNEL_ALLOW_LOOPBACK_HTTP:  # noqa: F405 (from config.knobs)
    raise ImproperlyConfigured(
        "CHANNEL_ALLOW_LOOPBACK_HTTP is for tests only: production posts only to public https"
    )

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

LOGGING = logging_config(level=_get("LOG_LEVEL", env.str, "INFO"))
