"""What a failed send means for its ledger row: transient (retry later), permanent (never) or
ambiguous (the server may have it: never resent over SMTP), and how long to wait before a retry.
"""

from __future__ import annotations

import random
import smtplib

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings

from digest.delivery.backends import ReplyLostAfterHandOver

# What a mail backend raises when a send fails (anything else is a bug and propagates).
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)


class TransientSendError(Exception):
    """The ESP or SMTP server said "try again later" (4xx, timeout, connection lost)."""


class PermanentSendError(Exception):
    """The ESP or SMTP server refused this message for good (5xx, rejected recipient)."""


class AmbiguousSendError(Exception):
    """The message was handed over but no answer came back: it may have been delivered."""


SendError = TransientSendError | PermanentSendError | AmbiguousSendError


def classify(error: Exception) -> SendError:
    """Turn whatever the mail backend raised into transient, permanent or ambiguous."""
    if isinstance(error, ReplyLostAfterHandOver):
        return AmbiguousSendError(str(error))
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        reason = "; ".join(
            f"{c} {m.decode(errors='replace')}" for c, m in error.recipients.values()
        )
        transient = bool(codes) and all(400 <= c < 500 for c in codes)
        return (TransientSendError if transient else PermanentSendError)(reason)
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        reason = f"SMTP {error.smtp_code} {text}"
        if 400 <= error.smtp_code < 500 or error.smtp_code < 0:
            return TransientSendError(reason)
        return PermanentSendError(reason)
    if isinstance(error, AnymailRecipientsRefused):
        return PermanentSendError(f"ESP refused the recipient: {error}")
    if isinstance(error, AnymailAPIError):
        status = getattr(error, "status_code", None)
        if status is None or status == 429 or status >= 500:
            return TransientSendError(f"ESP API error {status}: {error}")
        return PermanentSendError(f"ESP API error {status}: {error}")
    if isinstance(error, AnymailError):
        return PermanentSendError(f"ESP error: {error}")
    # smtplib.SMTPServerDisconnected and other SMTPExceptions, timeouts, refused connections.
    return TransientSendError(f"{type(error).__name__}: {error}")


def retry_delay(attempt: int) -> float:
    """Exponential back-off with jitter, capped far below the Redis visibility timeout."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    cap = min(settings.SEND_RETRY_MAX_SECONDS, visibility / 4)
    base = min(cap, settings.SEND_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return base / 2 + random.uniform(0, base / 2)
