"""The one signal hand-off: a confirmed reader gets a welcome digest, enqueued after commit."""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def on_reader_confirmed(sender: object, subscriber_id: int, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue_welcome_digest(subscriber_id))


def enqueue_welcome_digest(subscriber_id: int) -> None:
    """The confirmation stands even when the broker is down; the reader's first regular digest
    still comes at their hour (the hourly run does not depend on this task)."""
    from digest.tasks import send_welcome_digest

    try:
        send_welcome_digest.delay(subscriber_id)
    except OperationalError:
        logger.exception("event=welcome_digest_not_enqueued subscriber=%s", subscriber_id)
