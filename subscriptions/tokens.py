"""Signed links without passwords. Each purpose has its own salt, so no token works as another.

Confirmation tokens are single-use: they sign a digest of the reader's state (status, address,
pending address, confirmed_at), which confirming changes. All comparisons are constant-time
(django.core.signing). Keys rotate with SECRET_KEY_FALLBACKS.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing

if TYPE_CHECKING:
    from subscriptions.models import Subscriber

SALTS = {
    "confirm": "paperboy.confirm",
    "manage": "paperboy.manage",
    "unsubscribe": "paperboy.unsubscribe",
    "view": "paperboy.view",
    "feedback": "paperboy.feedback",
}


class InvalidToken(Exception):
    """Tampered, expired, used, or made for another purpose."""


class ExpiredToken(InvalidToken):
    """Genuine, but older than its lifetime."""


def make_token(purpose: str, value: object) -> str:
    return signing.dumps(value, salt=SALTS[purpose], compress=True)


def read_token(purpose: str, token: str, *, max_age: float | None = None) -> object:
    try:
        return signing.loads(token, salt=SALTS[purpose], max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredToken(str(error)) from error
    except signing.BadSignature as error:
        raise InvalidToken(str(error)) from error


def _state(subscriber: Subscriber) -> str:
    confirmed = subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else ""
    raw = f"{subscriber.status}|{subscriber.email.lower()}|{subscriber.pending_email}|{confirmed}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def confirmation_token(subscriber: Subscriber) -> str:
    return make_token("confirm", [subscriber.pk, _state(subscriber)])


def subscriber_id_from_confirmation(token: str) -> tuple[int, str]:
    """Return (subscriber id, state) from a confirmation token that has not expired."""
    max_age = settings.CONFIRMATION_MAX_AGE_DAYS * 86400
    value = read_token("confirm", token, max_age=max_age)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise InvalidToken("malformed confirmation token")
    return value[0], value[1]


def confirmation_matches(subscriber: Subscriber, state: str) -> bool:
    """A used token no longer matches: confirming changed the state it signed."""
    return signing.constant_time_compare(_state(subscriber), state)


def subscriber_token(purpose: str, subscriber: Subscriber) -> str:
    """A long-lived token naming one reader, for the manage and unsubscribe links."""
    return make_token(purpose, subscriber.pk)


def subscriber_id_from(purpose: str, token: str) -> int:
    value = read_token(purpose, token)
    if not isinstance(value, int):
        raise InvalidToken("malformed token")
    return value
