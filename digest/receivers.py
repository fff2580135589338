"""The one signal hand-off: a confirmed reader gets a welcome digest, enqueued after commit."""

from __future__ import annotations

from django.db import transaction


def on_reader_confirmed(sender: object, subscriber_id: int, **kwargs) -> None:
    from digest.tasks import send_welcome_digest

    transaction.on_commit(lambda: send_welcome_digest.delay(subscriber_id))
