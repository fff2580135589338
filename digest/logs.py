"""Structured log lines (logfmt): `event=edition.built edition=42 readers=1200 skipped=3`.

Every run (ingest, edition, batch) logs one line with its counts through `log_event`, so a log
search for `event=batch.sent` finds them all and tools like Loki or `grep` split the fields.
Addresses never go to logs in full: `mask_email` keeps enough to recognise a reader
("j***@example.org") and `email_hash` gives a stable key to search for one reader's lines.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping

logger = logging.getLogger("paperboy")

_BARE = re.compile(r"^[A-Za-z0-9_.:/@+\-]+$")


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    if text and _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def logfmt(event: str, fields: Mapping[str, object]) -> str:
    """One logfmt line: event first, then the fields in the order given."""
    pairs = [f"event={_value(event)}"]
    pairs += [f"{key}={_value(value)}" for key, value in fields.items()]
    return " ".join(pairs)


def log_event(
    event: str,
    *,
    level: int = logging.INFO,
    log: logging.Logger | None = None,
    **fields: object,
) -> str:
    """Log one structured line and return it (handy in tests and command output)."""
    line = logfmt(event, fields)
    (log or logger).log(level, line)
    return line


def mask_email(email: str) -> str:
    """'jane.doe@example.org' -> 'j***@example.org': recognisable, not harvestable."""
    local, at, domain = email.strip().partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain.lower()}"


def email_hash(email: str) -> str:
    """A short stable key for one address, to find a reader's lines without logging it."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]
