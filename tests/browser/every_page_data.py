"""The data behind every reader and operator page, made once per module and committed for real
(the browser reads it through a live server in another thread), then removed again.

Built through the product's own commands and functions (load_demo, send_digests, confirm), so
the pages show what a real install shows: demo papers, a sent edition, a reader's links."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from dataclasses import dataclass, field

import time_machine
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from subscriptions import channels, services
from subscriptions.models import Subscriber, Topic
from subscriptions.tokens import confirmation_token, make_token, subscriber_token
from tests import factories as f

READER = "reader@example.org"
OPERATOR = ("ops", "ops@paperboy.example", "correct horse")
Status = Subscriber.Status


@dataclass
class SiteData:
    reader_pk: int
    manage: str
    unsubscribe: str
    unsubscribed: str  # the unsubscribe link of a reader who already left
    confirm: str
    confirm_used: str
    confirm_expired: str
    feedback: str
    view: str
    archive_day: str
    operator: object
    # One fresh reader per mode for pages reached by pressing a button (the press changes them).
    confirm_by_mode: dict[str, str] = field(default_factory=dict)
    unsubscribe_by_mode: dict[str, str] = field(default_factory=dict)


def _reader(email: str, status: str = Status.ACTIVE, **extra) -> Subscriber:
    confirmed = timezone.now() if status != Status.PENDING else None
    reader = Subscriber.objects.create(email=email, status=status, confirmed_at=confirmed, **extra)
    reader.topics.set(Topic.objects.filter(active=True).order_by("position")[:3])
    return reader


def _pending_token(email: str) -> str:
    return confirmation_token(_reader(email, Status.PENDING))


def _load_topics() -> None:
    """The curated topics, by the data migration's own (idempotent) loader."""
    seed_topics = importlib.import_module("subscriptions.migrations.0002_seed_topics")
    seed_topics.load_topics(django_apps, None)


def seed(modes: list[str]) -> SiteData:
    _load_topics()  # transactional tests before this one empty the tables
    call_command("load_demo", stdout=io.StringIO())
    reader = _reader(
        READER, interests="offline reinforcement learning for robot manipulation", send_hour=0
    )
    call_command("send_digests", stdout=io.StringIO())
    Delivery = django_apps.get_model("digest", "Delivery")
    Paper = django_apps.get_model("digest", "Paper")
    delivery = Delivery.objects.filter(subscriber=reader).order_by("-pk").first()
    assert delivery is not None and delivery.papers, "send_digests made no digest for the reader"
    paper = Paper.objects.filter(canonical_id=delivery.papers[0]["id"]).get()
    _channels(reader)

    used = _reader("used@example.org", Status.PENDING)
    used_token = confirmation_token(used)
    services.confirm(used_token)
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        expired = _pending_token("expired@example.org")
    gone = _reader("gone@example.org", Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())

    operator = get_user_model().objects.create_superuser(*OPERATOR)
    return SiteData(
        operator=operator,
        reader_pk=reader.pk,
        manage=subscriber_token("manage", reader),
        unsubscribe=subscriber_token("unsubscribe", reader),
        unsubscribed=subscriber_token("unsubscribe", gone),
        confirm=_pending_token("pending@example.org"),
        confirm_used=used_token,
        confirm_expired=expired,
        feedback=make_token("feedback", [reader.pk, paper.pk, 1]),
        view=make_token("view", delivery.pk),
        archive_day=timezone.localdate().isoformat(),
        confirm_by_mode={m: _pending_token(f"new-{m}@example.org") for m in modes},
        unsubscribe_by_mode={
            m: subscriber_token("unsubscribe", _reader(f"leaving-{m}@example.org")) for m in modes
        },
    )


def _channels(reader: Subscriber) -> None:
    """The preferences centre's Channels section with one active and one disabled channel."""
    channels.add_channel(
        subscriber=reader,
        kind="slack",
        label="#reading-group",
        url="https://hooks.slack.com/services/T0AAAA/B0BBBB/abcdefghijklmnopWXYZ",
    )
    f.disabled_channel(reader)


def remove() -> None:
    """Empty the tables and put back what migrations put there, as a fresh test database has."""
    call_command("flush", interactive=False, verbosity=0)
    _load_topics()
