"""Small builders for the operator tests: readers, papers, editions and ledger rows."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from digest.models import Delivery, Edition, EmailEvent, Paper
from subscriptions.models import Subscriber, Topic

_counter = itertools.count(1)


def topic(slug: str = "robot-learning", **fields: object) -> Topic:
    defaults = {
        "name": slug.replace("-", " ").capitalize(),
        "keywords": ["robot learning"],
        "categories": ["cs.RO"],
    }
    defaults.update(fields)
    return Topic.objects.get_or_create(slug=slug, defaults=defaults)[0]


def reader(email: str | None = None, *, topics: list[Topic] = (), **fields: object) -> Subscriber:
    now = timezone.now()
    defaults = {
        "status": Subscriber.Status.ACTIVE,
        "created_at": now - dt.timedelta(days=3),
        "confirmation_sent_at": now - dt.timedelta(days=3),
        "confirmed_at": now - dt.timedelta(days=3, hours=-1),
    }
    defaults.update(fields)
    subscriber = Subscriber.objects.create(
        email=email or f"reader{next(_counter)}@example.org", **defaults
    )
    subscriber.topics.set(topics)
    return subscriber


def paper(title: str = "Robot learning from play", **fields: object) -> Paper:
    n = next(_counter)
    defaults = {
        "canonical_id": f"2411.{n:05d}",
        "arxiv_id": f"2411.{n:05d}",
        "abstract": "We study robot learning at scale.",
        "categories": ["cs.RO"],
        "primary_category": "cs.RO",
        "trending_score": 5.0,
        "trending_date": timezone.localdate(),
        "why_trending": "+12 upvotes today",
    }
    defaults.update(fields)
    return Paper.objects.create(title=title, **defaults)


def edition(date: dt.date | None = None, frequency: str = "daily") -> Edition:
    return Edition.objects.get_or_create(frequency=frequency, date=date or timezone.localdate())[0]


def delivery(
    subscriber: Subscriber, on: Edition, status: str = "sent", **fields: object
) -> Delivery:
    defaults: dict[str, object] = {"status": status}
    if status == Delivery.Status.SENT:
        defaults.update(sent_at=timezone.now(), message_id=f"<m{next(_counter)}@paperboy.example>")
    defaults.update(fields)
    return Delivery.objects.create(subscriber=subscriber, edition=on, **defaults)


def event(on: Delivery, event_type: str, **fields: object) -> EmailEvent:
    defaults = {
        "event_id": f"ev-{next(_counter)}",
        "esp_name": "postmark",
        "message_id": on.message_id,
        "recipient": on.subscriber.email,
        "delivery": on,
    }
    defaults.update(fields)
    return EmailEvent.objects.create(event_type=event_type, **defaults)
