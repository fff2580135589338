"""Settings come from the environment; bad values stop start-up with the variable's name."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PAPERBOY_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "paperboy.example.org",
    "SITE_URL": "https://paperboy.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Only the variables a deployment would have: not the test run's own switches.
    dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_reports_no_warnings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", ["", "dev-only-insecure-key-do-not-use-in-production", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret: str) -> None:
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": secret})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_is_not_in_debug_unless_asked() -> None:
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        **PRODUCTION,
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SEND_BATCH_SIZE", "lots"),
        ("DEBUG", "perhaps"),
        ("SITE_URL", "paperboy.example.org"),
        ("DATABASE_URL", "nonsense://"),
        ("PAPERBOY_ENV", "staging"),
    ],
)
def test_a_malformed_variable_fails_at_start_up_naming_it(name: str, value: str) -> None:
    result = manage("check", **{name: value})
    assert result.returncode != 0
    assert name in result.stderr.splitlines()[-1]


def test_email_url_configures_smtp_with_tls() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)"
    )
    result = manage(
        "shell", "-v", "0", "-c", code, EMAIL_URL="smtp+tls://user:secret@mail.example.org:587"
    )
    assert result.stdout.split() == [
        "digest.delivery.backends.SMTPBackend",
        "mail.example.org",
        "587",
        "user",
        "True",
    ]


def test_the_wsgi_application_imports_every_view_before_its_first_request() -> None:
    """A fresh gunicorn worker would otherwise spend ~0.4 s of its first request importing."""
    dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    probe = (
        "import sys, config.wsgi\n"
        "print(all(m in sys.modules for m in ('subscriptions.views', 'digest.web.pages')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.stdout.strip() == "True", result.stderr


ESP = {
    "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "t",
}


@pytest.mark.parametrize(
    "backend", ["anymail.backends.postmark.EmailBackend", "digest.delivery.backends.ResendBackend"]
)
def test_production_refuses_an_esp_without_a_webhook_secret(backend: str) -> None:
    result = manage("check", **{**PRODUCTION, **ESP, "EMAIL_BACKEND": backend})
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET" in result.stderr.splitlines()[-1]


def test_production_accepts_an_esp_with_a_webhook_secret_or_its_signing_key() -> None:
    secret = {**PRODUCTION, **ESP, "ANYMAIL_WEBHOOK_SECRET": "paperboy:" + secrets.token_hex(16)}
    signed = {
        **PRODUCTION,
        "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": secrets.token_hex(16),
    }
    for env in (secret, signed):
        result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
        assert result.returncode == 0, result.stderr


def test_check_deploy_names_an_unauthenticated_esp_webhook() -> None:
    result = manage("check", "--deploy", **ESP)
    assert result.returncode != 0
    assert "paperboy.E001" in result.stderr and "ANYMAIL_WEBHOOK_SECRET" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "check"),
    [
        ("RECOVERY_INTERVAL_SECONDS", "900", "paperboy.W002"),
        ("CELERY_TASK_ALWAYS_EAGER", "true", "paperboy.W003"),
        ("CELERY_VISIBILITY_TIMEOUT", "600", "paperboy.W004"),
    ],
)
def test_check_deploy_names_unsafe_delivery_settings(variable: str, value: str, check: str) -> None:
    env = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/7", variable: value}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert check in result.stderr and variable in result.stderr
