"""What a reader holding a signed link may do: change settings, pause, resume, unsubscribe,
resubscribe, undo feedback. Each is a conditional UPDATE, so repeating one changes nothing.
Changes apply to the next edition: editions read these fields when they are built."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone as django_timezone

from subscriptions.models import Feedback, Subscriber, Topic

Status = Subscriber.Status


def unsubscribe(*, subscriber_id: int) -> bool:
    """Stop all mail at once. Idempotent; returns whether this call changed anything."""
    changed = Subscriber.objects.filter(
        pk=subscriber_id, status__in=[Status.PENDING, Status.ACTIVE, Status.PAUSED]
    ).update(
        status=Status.UNSUBSCRIBED,
        unsubscribed_at=django_timezone.now(),
        paused_until=None,
        updated_at=django_timezone.now(),
    )
    return bool(changed)


def resubscribe(*, subscriber_id: int) -> bool:
    """Undo an unsubscribe from a signed link. The link proves the reader reads this address,
    so an address confirmed before comes back at once, with the reader's own choices (any
    waiting from an anonymous sign-up are dropped); a suppressed address never does."""
    changed = Subscriber.objects.filter(
        pk=subscriber_id, status=Status.UNSUBSCRIBED, confirmed_at__isnull=False
    ).update(
        status=Status.ACTIVE,
        unsubscribed_at=None,
        pending_choices={},
        updated_at=django_timezone.now(),
    )
    return bool(changed)


def pause(*, subscriber_id: int, until: dt.date) -> bool:
    """No mail before `until`; digests start again on that date by themselves. Also offered
    instead of unsubscribing, so a confirmed reader who just unsubscribed may pause instead."""
    changed = (
        Subscriber.objects.filter(pk=subscriber_id)
        .filter(
            Q(status__in=[Status.ACTIVE, Status.PAUSED])
            | Q(status=Status.UNSUBSCRIBED, confirmed_at__isnull=False)
        )
        .update(
            status=Status.PAUSED,
            paused_until=until,
            unsubscribed_at=None,
            updated_at=django_timezone.now(),
        )
    )
    return bool(changed)


def resume(*, subscriber_id: int) -> bool:
    changed = Subscriber.objects.filter(pk=subscriber_id, status=Status.PAUSED).update(
        status=Status.ACTIVE, paused_until=None, updated_at=django_timezone.now()
    )
    return bool(changed)


def update_preferences(
    *,
    subscriber: Subscriber,
    topics: Iterable[Topic],
    interests: str,
    exclusions: str,
    frequency: str,
    weekday: int,
    send_hour: int,
    timezone: str,
    max_papers: int,
) -> Subscriber:
    choices = {
        "interests": interests.strip(),
        "exclusions": exclusions.strip(),
        "frequency": frequency,
        "weekday": weekday,
        "send_hour": send_hour,
        "timezone": timezone,
        "max_papers": max_papers,
    }
    with transaction.atomic():
        for name, value in choices.items():
            setattr(subscriber, name, value)
        # The owner's own choices replace any an anonymous sign-up left waiting.
        subscriber.pending_choices = {}
        subscriber.save(update_fields=[*choices, "pending_choices", "updated_at"])
        subscriber.topics.set(list(topics))
    return subscriber


def undo_feedback(*, subscriber_id: int, feedback_id: int) -> bool:
    """Forget one "more/less like this"; only the reader's own feedback can be removed."""
    deleted, _ = Feedback.objects.filter(pk=feedback_id, subscriber_id=subscriber_id).delete()
    return bool(deleted)
