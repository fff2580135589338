""" "Why did X get no email?": one reader's state, timeline and next digest, in one answer.

`explain_reader` is shared by the /ops/reader/ page and `manage.py explain EMAIL`. The verdict
names the first thing that stops mail, in the order the system applies them: no such reader,
never confirmed, unsubscribed, suppressed, paused, then what happened to the latest edition.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from django.db.models.functions import Lower
from django.utils import timezone

from digest.models import Delivery, EmailEvent
from digest.ops.preview import preview_next_digest
from digest.schedule import next_edition_date
from subscriptions.models import Channel, Subscriber

RECENT_DELIVERIES = 30
BAD_EVENTS = {"bounced", "complained", "rejected", "failed", "unsubscribed"}


class Reason(enum.StrEnum):
    UNKNOWN = "unknown address"
    PENDING = "never confirmed"
    UNSUBSCRIBED = "unsubscribed"
    SUPPRESSED = "suppressed"
    PAUSED = "paused"
    NO_EDITION = "no edition yet"
    NO_MATCH = "skipped: no matching papers"
    SKIPPED = "skipped"
    FAILED = "send failed"
    WAITING = "waiting to send"
    SENT = "sent"


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime | None
    what: str
    detail: str = ""
    tone: str = "info"  # info, ok, warn, bad: how the page colours it


@dataclass(frozen=True)
class DeliveryLine:
    delivery_id: int
    edition: str
    date: dt.date
    status: str
    reason: str
    sent_at: dt.datetime | None
    message_id: str
    opens: int
    clicks: int
    paper_count: int
    events: tuple[str, ...]


@dataclass
class Explanation:
    email: str
    reason: Reason
    verdict: str
    subscriber: Subscriber | None = None
    topics: list[str] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    deliveries: list[DeliveryLine] = field(default_factory=list)
    next_date: dt.date | None = None
    preview: list[dict] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # "Slack #lab: active (https://…WXYZ)"

    @property
    def found(self) -> bool:
        return self.subscriber is not None


def find_reader(email: str) -> Subscriber | None:
    """Exact address, case-insensitively, through the LOWER(email) unique index."""
    return (
        Subscriber.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .first()
    )


def _fmt(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "an unknown time"


def _timeline(reader: Subscriber, deliveries: list[Delivery]) -> list[TimelineEntry]:
    entries = [TimelineEntry(reader.created_at, "Signed up")]
    if reader.confirmation_sent_at:
        entries.append(TimelineEntry(reader.confirmation_sent_at, "Confirmation mail sent"))
    if reader.confirmed_at:
        entries.append(TimelineEntry(reader.confirmed_at, "Confirmed", tone="ok"))
    if reader.unsubscribed_at:
        entries.append(TimelineEntry(reader.unsubscribed_at, "Unsubscribed", tone="warn"))
    if reader.suppressed_at:
        entries.append(
            TimelineEntry(reader.suppressed_at, "Suppressed", reader.suppression_reason, "bad")
        )
    tones = {"sent": "ok", "skipped": "warn", "failed": "bad"}
    for delivery in deliveries:
        entries.append(
            TimelineEntry(
                delivery.sent_at or delivery.created_at,
                f"Edition {delivery.edition}: {delivery.status}",
                delivery.reason,
                tones.get(delivery.status, "info"),
            )
        )
        for event in delivery.events.all():
            entries.append(
                TimelineEntry(
                    event.timestamp,
                    f"ESP event: {event.event_type}",
                    event.description,
                    "bad" if event.event_type in BAD_EVENTS else "info",
                )
            )
    return sorted(entries, key=lambda e: e.at or dt.datetime.min.replace(tzinfo=dt.UTC))


def _delivery_line(delivery: Delivery) -> DeliveryLine:
    return DeliveryLine(
        delivery_id=delivery.pk,
        edition=str(delivery.edition),
        date=delivery.edition.date,
        status=delivery.status,
        reason=delivery.reason,
        sent_at=delivery.sent_at,
        message_id=delivery.message_id,
        opens=delivery.opens,
        clicks=delivery.clicks,
        paper_count=len(delivery.papers or ()),
        events=tuple(event.event_type for event in delivery.events.all()),
    )


def _verdict(reader: Subscriber, latest: Delivery | None, today: dt.date) -> tuple[Reason, str]:
    status = Subscriber.Status
    if reader.status == status.PENDING:
        sent = (
            f"the confirmation mail went out {_fmt(reader.confirmation_sent_at)}"
            if reader.confirmation_sent_at
            else "no confirmation mail was sent"
        )
        return Reason.PENDING, f"Signed up {_fmt(reader.created_at)} but never confirmed; {sent}."
    if reader.status == status.UNSUBSCRIBED:
        return Reason.UNSUBSCRIBED, f"Unsubscribed {_fmt(reader.unsubscribed_at)}."
    if reader.status == status.SUPPRESSED:
        why = reader.suppression_reason or "no reason recorded"
        return Reason.SUPPRESSED, f"Suppressed {_fmt(reader.suppressed_at)}: {why}."
    if reader.status == status.PAUSED and (
        reader.paused_until is None or reader.paused_until > today
    ):
        until = f" until {reader.paused_until:%Y-%m-%d}" if reader.paused_until else ""
        return Reason.PAUSED, f"Paused{until} by the reader."
    if latest is None:
        return Reason.NO_EDITION, "Active, but no edition has included them yet."
    label = f"Latest edition ({latest.edition})"
    if latest.status == Delivery.Status.SENT:
        events = [e.event_type for e in latest.events.all()]
        bad = [e for e in events if e in BAD_EVENTS]
        tail = f"; the ESP then reported: {', '.join(bad)}" if bad else ""
        return Reason.SENT, (
            f"{label} was sent {_fmt(latest.sent_at)} as {latest.message_id or 'no message id'}"
            f"{tail}. If it is not in the inbox, check spam and the ESP's log for that id."
        )
    if latest.status == Delivery.Status.SKIPPED:
        no_match = "no match" in latest.reason.lower()
        return (
            Reason.NO_MATCH if no_match else Reason.SKIPPED,
            f"{label} was skipped: {latest.reason or 'no reason recorded'}.",
        )
    if latest.status == Delivery.Status.FAILED:
        return Reason.FAILED, f"{label} failed to send: {latest.reason or 'no reason recorded'}."
    return Reason.WAITING, f"{label} is {latest.status}: it has not been sent yet."


def explain_reader(*, email: str, now: dt.datetime | None = None) -> Explanation:
    now = now or timezone.now()
    email = email.strip()
    reader = find_reader(email)
    if reader is None:
        waiting = Subscriber.objects.filter(pending_email__iexact=email).first()
        detail = (
            f" It is waiting to replace {waiting.email} once confirmed."
            if waiting is not None
            else " Check the spelling, or search the readers list by the start of the address."
        )
        return Explanation(
            email=email, reason=Reason.UNKNOWN, verdict=f"No reader has this address.{detail}"
        )
    deliveries = list(
        Delivery.objects.filter(subscriber=reader)
        .select_related("edition")
        .prefetch_related("events")
        .order_by("-edition__date", "-pk")[:RECENT_DELIVERIES]
    )
    reason, verdict = _verdict(reader, deliveries[0] if deliveries else None, now.date())
    unlinked = EmailEvent.objects.filter(recipient__in={email, email.lower()}, delivery=None)
    timeline = _timeline(reader, deliveries) + [
        TimelineEntry(
            e.timestamp,
            f"ESP event: {e.event_type}",
            e.description,
            "bad" if e.event_type in BAD_EVENTS else "info",
        )
        for e in unlinked[:20]
    ]
    next_date = next_edition_date(subscriber=reader, now=now)
    return Explanation(
        email=reader.email,
        reason=reason,
        verdict=verdict,
        subscriber=reader,
        topics=list(reader.topics.values_list("name", flat=True)),
        timeline=sorted(timeline, key=lambda e: e.at or dt.datetime.min.replace(tzinfo=dt.UTC)),
        deliveries=[_delivery_line(d) for d in deliveries],
        next_date=next_date,
        preview=preview_next_digest(subscriber=reader, date=next_date),
        channels=[_channel_line(c) for c in reader.channels.all()],
    )


def _channel_line(channel: Channel) -> str:
    label = f" {channel.label}" if channel.label else ""
    why = f": {channel.disabled_reason}" if channel.disabled_reason else ""
    return f"{channel.get_kind_display()}{label} ({channel.url_masked}): {channel.status}{why}"
