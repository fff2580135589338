"""ESP tracking webhooks (through anymail): record each event fast, act on it asynchronously.

The receiver (digest.receivers) only stores the event (de-duplicated on its event id: a unique
column and get_or_create) and enqueues "digest.process_email_event" after commit, so the ESP
gets its 200
well inside its timeout. Processing: hard bounce / complaint -> suppress at once; soft bounce ->
count, suppress at SOFT_BOUNCE_LIMIT; opened / clicked -> counts on the Delivery;
unsubscribed -> unsubscribe. An event acts only on the reader whose address is its recipient.
"""

from __future__ import annotations

import hashlib
import json
import re

from anymail.signals import AnymailTrackingEvent
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from digest.models import Delivery, EmailEvent
from subscriptions.models import Subscriber

SOFT_TYPES = {"SoftBounce", "Transient", "DnsError"}  # Postmark's names for temporary bounces
_SMTP_4XX = re.compile(r"^\s*(4\d\d|4\.\d+\.\d+)")


def _event_id(event: AnymailTrackingEvent, raw: object, esp_name: str) -> str:
    """The ESP's id where it gives one, else a digest of the payload (same payload, same id)."""
    if event.event_id:
        return f"{esp_name}:{event.event_id}"[:300]
    body = json.dumps(raw, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def _jsonable(raw: object) -> object:
    try:
        return json.loads(json.dumps(raw, default=str))
    except (TypeError, ValueError):
        return {"repr": repr(raw)[:2000]}


def record_tracking_event(*, event: AnymailTrackingEvent, esp_name: str) -> EmailEvent | None:
    """Store one event once; return it when it is new (and so needs processing)."""
    raw = _jsonable(event.esp_event)
    stored, created = EmailEvent.objects.get_or_create(
        event_id=_event_id(event, raw, esp_name),
        defaults={
            "event_type": event.event_type or "unknown",
            "esp_name": esp_name,
            "message_id": str(event.message_id or "")[:300],
            "recipient": (event.recipient or "")[:254],
            "timestamp": event.timestamp or timezone.now(),
            "description": str(event.description or event.mta_response or "")[:2000],
            "payload": {
                "esp_event": raw,
                "metadata": _jsonable(event.metadata or {}),
                "mta_response": str(event.mta_response or ""),
                "reject_reason": str(event.reject_reason or ""),
            },
        },
    )
    if not created:
        return None
    return stored


def _reader_for(event: EmailEvent) -> Subscriber | None:
    """The reader the event's recipient address names: nothing else picks who is affected."""
    if not event.recipient:
        return None
    return Subscriber.objects.by_email(event.recipient).first()


def _delivery_for(event: EmailEvent, reader: Subscriber | None) -> Delivery | None:
    """One of that reader's deliveries, by the metadata's delivery id or the ESP message id.

    Metadata may narrow the event to one delivery, never widen it: an id naming another
    reader's delivery (sequential ids are easy to guess) is ignored.
    """
    if reader is None:
        return None
    theirs = Delivery.objects.filter(subscriber=reader)
    delivery_id = str(event.payload.get("metadata", {}).get("delivery", ""))
    if delivery_id.isdigit():
        found = theirs.filter(pk=int(delivery_id)).first()
        if found:
            return found
    if event.message_id:
        return theirs.filter(message_id=event.message_id).first()
    return None


def _is_soft(event: EmailEvent) -> bool:
    if event.event_type == "deferred":
        return True
    raw = event.payload.get("esp_event", {})
    if isinstance(raw, dict) and raw.get("Type") in SOFT_TYPES:
        return True
    return bool(_SMTP_4XX.match(event.payload.get("mta_response", "")))


def _suppress(subscriber: Subscriber, reason: str) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).exclude(
        status=Subscriber.Status.UNSUBSCRIBED
    ).update(
        status=Subscriber.Status.SUPPRESSED,
        suppression_reason=reason[:200],
        suppressed_at=timezone.now(),
    )


def process_email_event(*, event_pk: int) -> None:
    """Act on one stored event, once (processed_at is claimed with a conditional UPDATE)."""
    claimed = EmailEvent.objects.filter(pk=event_pk, processed_at__isnull=True).update(
        processed_at=timezone.now()
    )
    if not claimed:
        return
    event = EmailEvent.objects.get(pk=event_pk)
    subscriber = _reader_for(event)
    delivery = _delivery_for(event, subscriber)
    if delivery is not None and event.delivery_id is None:
        EmailEvent.objects.filter(pk=event.pk).update(delivery=delivery)
    kind = event.event_type
    if kind == "opened" and delivery is not None:
        Delivery.objects.filter(pk=delivery.pk).update(opens=F("opens") + 1)
    elif kind == "clicked" and delivery is not None:
        Delivery.objects.filter(pk=delivery.pk).update(clicks=F("clicks") + 1)
    elif subscriber is None:
        return
    elif kind in {"bounced", "deferred"} and _is_soft(event):
        Subscriber.objects.filter(pk=subscriber.pk).update(soft_bounces=F("soft_bounces") + 1)
        subscriber.refresh_from_db(fields=["soft_bounces"])
        if subscriber.soft_bounces >= settings.SOFT_BOUNCE_LIMIT:
            _suppress(subscriber, f"{subscriber.soft_bounces} soft bounces")
    elif kind in {"bounced", "rejected"}:
        _suppress(subscriber, f"hard bounce: {event.description}"[:200])
    elif kind == "complained":
        _suppress(subscriber, "spam complaint")
    elif kind == "unsubscribed":
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
