"""Which backends are ESPs, and when their tracking webhook counts as authenticated."""

from __future__ import annotations

import pytest

from config.esp import esp_name, tracking_webhook_mounted, webhook_problem


@pytest.mark.parametrize(
    ("backend", "esp"),
    [
        ("anymail.backends.postmark.EmailBackend", "postmark"),
        ("anymail.backends.amazon_ses.EmailBackend", "amazon_ses"),
        ("digest.delivery.backends.ResendBackend", "resend"),
        ("digest.delivery.backends.SMTPBackend", None),
        ("config.devmail.EmlFileBackend", None),
        ("anymail.backends.test.EmailBackend", None),
        ("anymail.backends.console.EmailBackend", None),
    ],
)
def test_only_real_esps_have_a_tracking_webhook(backend: str, esp: str | None) -> None:
    assert esp_name(backend) == esp


@pytest.mark.parametrize(
    ("backend", "anymail", "problem"),
    [
        ("anymail.backends.postmark.EmailBackend", {}, "ANYMAIL_WEBHOOK_SECRET"),
        ("anymail.backends.postmark.EmailBackend", {"WEBHOOK_SECRET": "nocolon"}, "user:password"),
        ("anymail.backends.postmark.EmailBackend", {"WEBHOOK_SECRET": "u:p"}, None),
        ("anymail.backends.postmark.EmailBackend", {"WEBHOOK_SECRET": ["u:p", "v:q"]}, None),
        ("anymail.backends.mailgun.EmailBackend", {}, "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY"),
        ("anymail.backends.mailgun.EmailBackend", {"MAILGUN_WEBHOOK_SIGNING_KEY": "k"}, None),
        # Another ESP's signing key does not authenticate this one.
        ("anymail.backends.postmark.EmailBackend", {"MAILGUN_WEBHOOK_SIGNING_KEY": "k"}, "SECRET"),
        ("digest.delivery.backends.SMTPBackend", {}, None),
    ],
)
def test_an_esp_webhook_needs_basic_auth_or_its_own_signing_key(backend, anymail, problem) -> None:
    found = webhook_problem(email_backend=backend, anymail=anymail)
    assert (found is None) if problem is None else (problem in found)
    mounted = tracking_webhook_mounted(email_backend=backend, anymail=anymail)
    assert mounted == (problem is None and esp_name(backend) is not None)
