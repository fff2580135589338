"""Keep secrets out of the logs: signed-link tokens, feed keys and readers' full addresses.

Django logs the path of every 4xx/5xx response ("Bad Request: /manage/<token>/"), and a mail
server's refusal names the recipient. An operator needs to know *that* it happened and to whom
roughly, not the working link itself or the whole address. Attached to every handler in
settings.LOGGING, so whatever logs through them (Django, Celery, our code) is redacted.
"""

from __future__ import annotations

import logging
import re

# URL prefixes whose next segment is a bearer token: confirm, manage, unsubscribe (u),
# view-in-browser (d) and feedback (f), in subscriptions/urls.py and digest/urls.py.
TOKEN_PATH = re.compile(r"/(confirm|manage|u|d|f)/[^/\s'\"?]+")
FEED_PATH = re.compile(r"/feed/[^/\s'\"?]+\.xml")
# Any local part mail allows (apostrophes, braces, Unicode, a quoted string), so an odd one is
# masked whole, not only the part after its last unusual character; any domain, IDNs too.
ADDRESS = re.compile(
    r"(\"[^\"\r\n]*\"|[^\s<>()\[\],;:@\"]+)@([^\s<>()\[\],;:@\"'/]+\.[^\s<>()\[\],;:@\"'/.]{2,})"
)


def _mask(match: re.Match[str]) -> str:
    local = match.group(1)
    bare = local.lstrip("\"'")
    return f"{local[: len(local) - len(bare)]}{bare[:1]}***@{match.group(2)}"


def redact(text: str) -> str:
    text = TOKEN_PATH.sub(r"/\1/[token]", text)
    text = FEED_PATH.sub("/feed/[key].xml", text)
    return ADDRESS.sub(_mask, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def logging_config(*, level: str) -> dict:
    """settings.LOGGING: plain lines on the console, every record through RedactSecrets."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        # No signed-link token, feed key or full reader address reaches a log.
        "filters": {"redact_secrets": {"()": "config.logfilters.RedactSecrets"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["redact_secrets"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            # The development server's request lines, through our redacting handler instead of
            # Django's own (which would print every token in a path).
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
