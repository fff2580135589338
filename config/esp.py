"""Which ESP (if any) sends our mail, and whether its tracking webhook is authenticated.

Plain functions over setting values, so settings.py (start-up refusal), the system check
(`check --deploy`) and the URL configuration (mount the webhook or not) apply one rule.

anymail's webhook views accept an unauthenticated POST when no `WEBHOOK_SECRET` is set (it only
warns), so an open tracking URL lets anyone fake bounces and complaints. A webhook is
authenticated when basic auth is set (`ANYMAIL_WEBHOOK_SECRET`), or, for an ESP whose webhook
anymail verifies by signature, when that ESP's signing key is set.
"""

from __future__ import annotations

# Our own backends built on anymail's, by the ESP they talk to.
_OWN_BACKENDS = {"digest.delivery.backends.ResendBackend": "resend"}
# anymail backends that send nothing anywhere (no tracking webhook exists for them).
_NOT_AN_ESP = {"test", "console"}
# The ANYMAIL key of each signing secret anymail verifies (and then requires) on the webhook.
SIGNING_KEYS = {
    "mailgun": "MAILGUN_WEBHOOK_SIGNING_KEY",
    "mailersend": "MAILERSEND_SIGNING_SECRET",
    "mailtrap": "MAILTRAP_TRACKING_SECRET",
    "mandrill": "MANDRILL_WEBHOOK_KEY",
    "postal": "POSTAL_WEBHOOK_KEY",
    "resend": "RESEND_SIGNING_SECRET",  # verified with svix (pip install django-anymail[resend])
    "sendgrid": "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY",
}


def esp_name(email_backend: str) -> str | None:
    """ "postmark" for anymail.backends.postmark.EmailBackend; None for SMTP and local files."""
    if email_backend in _OWN_BACKENDS:
        return _OWN_BACKENDS[email_backend]
    parts = email_backend.split(".")
    if len(parts) == 4 and parts[:2] == ["anymail", "backends"] and parts[2] not in _NOT_AN_ESP:
        return parts[2]
    return None


def webhook_problem(*, email_backend: str, anymail: dict) -> str | None:
    """Why the ESP's tracking webhook would accept forged events, or None when it would not."""
    esp = esp_name(email_backend)
    if esp is None:
        return None
    secret = anymail.get("WEBHOOK_SECRET") or ""
    if isinstance(secret, str):
        secret = [secret] if secret else []
    if any(":" not in str(each) for each in secret):
        return "ANYMAIL_WEBHOOK_SECRET must be user:password (random, long)"
    if secret or anymail.get(SIGNING_KEYS.get(esp, "")):
        return None
    signing = f" (or ANYMAIL_{SIGNING_KEYS[esp]})" if esp in SIGNING_KEYS else ""
    return (
        f"EMAIL_BACKEND sends through {esp}, whose tracking webhook would accept forged "
        f"bounces and complaints: set ANYMAIL_WEBHOOK_SECRET=user:password{signing}"
    )


def tracking_webhook_mounted(*, email_backend: str, anymail: dict) -> bool:
    """Mount the ESP's tracking URL only when there is an ESP and its webhook is authenticated."""
    return esp_name(email_backend) is not None and not webhook_problem(
        email_backend=email_backend, anymail=anymail
    )
