"""Signal hand-offs, each enqueued after commit: a confirmed reader gets a welcome digest; an
ESP tracking event is stored at once and processed by a worker; a channel test is posted."""

from __future__ import annotations

import logging

from anymail.signals import AnymailTrackingEvent
from django.db import transaction
from kombu.exceptions import OperationalError

from digest import library, tasks
from digest.delivery.webhooks import record_tracking_event
from subscriptions import seeds
from subscriptions.models import Subscriber

logger = logging.getLogger(__name__)


def on_reader_confirmed(sender: object, subscriber_id: int, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue_welcome_digest(subscriber_id))


def on_seeds_added(sender: object, subscriber_id: int, **kwargs) -> None:
    """Sent after commit (subscriptions.seeds.add_entries): look the new seeds up."""
    enqueue_library(subscriber_id)


def enqueue_library(subscriber_id: int) -> None:
    try:
        tasks.ingest_library.delay(subscriber_id)
    except OperationalError:  # they stay pending; the reader's next import asks again
        logger.exception("event=library_not_enqueued subscriber=%s", subscriber_id)


def on_reader_confirmed_library(sender: object, subscriber_id: int, **kwargs) -> None:
    """The sign-up's seeds become the reader's; those we hold are marked at once (so the
    welcome digest uses them), the rest are looked up by a worker."""
    email = Subscriber.objects.filter(pk=subscriber_id).values_list("email", flat=True).first()
    if not (email and seeds.attach_waiting(subscriber_id=subscriber_id, email=email)):
        return
    if library.resolve(subscriber_id=subscriber_id):
        enqueue_library(subscriber_id)


def enqueue_welcome_digest(subscriber_id: int) -> None:
    """The confirmation stands even when the broker is down; the reader's first regular digest
    still comes at their hour (the hourly run does not depend on this task)."""
    try:
        tasks.send_welcome_digest.delay(subscriber_id)
    except OperationalError:
        logger.exception("event=welcome_digest_not_enqueued subscriber=%s", subscriber_id)


def on_channel_test_requested(sender: object, channel_id: int, **kwargs) -> None:
    """Sent after commit (subscriptions.channels.request_test): post the test from a worker."""
    try:
        tasks.send_channel_test.delay(channel_id)
    except OperationalError:  # the page says "on its way"; the reader can ask again
        logger.exception("event=channel_test_not_enqueued channel=%s", channel_id)


def on_tracking(sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """anymail.signals.tracking receiver (connected in DigestConfig.ready)."""
    stored = record_tracking_event(event=event, esp_name=esp_name)
    if stored is not None:
        transaction.on_commit(lambda: tasks.process_email_event.delay(stored.pk))
