"""What an operator may do to readers: from the admin, as plain functions over querysets, and
from the shell (`add_reader`, the `subscribe` command).

Each is one conditional UPDATE, so running it twice (or on readers in the wrong state) changes
nothing: confirming touches only pending readers, unsuppressing only suppressed ones.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from subscriptions.addresses import normalize_address
from subscriptions.models import Subscriber, Topic
from subscriptions.sending import Outcome, send_account_mail
from subscriptions.signals import reader_confirmed

Status = Subscriber.Status


def confirm_readers(*, readers: QuerySet[Subscriber]) -> int:
    """Confirm pending readers by hand (e.g. a reader whose confirmation mail was lost).

    Like a confirmation by link, each one is announced after commit (a welcome digest follows)."""
    now = timezone.now()
    with transaction.atomic():
        pending = list(readers.filter(status=Status.PENDING).values_list("pk", flat=True))
        Subscriber.objects.filter(pk__in=pending, status=Status.PENDING).update(
            status=Status.ACTIVE, confirmed_at=now, updated_at=now
        )
        for subscriber_id in pending:
            transaction.on_commit(
                partial(reader_confirmed.send, sender=Subscriber, subscriber_id=subscriber_id)
            )
    return len(pending)


def suppress_readers(*, readers: QuerySet[Subscriber], reason: str) -> int:
    """Stop all mail to these readers (not already suppressed), recording why."""
    now = timezone.now()
    return readers.exclude(status=Status.SUPPRESSED).update(
        status=Status.SUPPRESSED,
        suppression_reason=reason[:200],
        suppressed_at=now,
        updated_at=now,
    )


def unsuppress_readers(*, readers: QuerySet[Subscriber]) -> int:
    """Lift a suppression: confirmed readers become active again, others pending."""
    return readers.filter(status=Status.SUPPRESSED).update(
        status=Case(
            When(confirmed_at__isnull=False, then=Value(Status.ACTIVE)),
            default=Value(Status.PENDING),
        ),
        suppression_reason="",
        soft_bounces=0,
        suppressed_at=None,
        updated_at=timezone.now(),
    )


def add_reader(
    *,
    email: str,
    topic_slugs: list[str] | None = None,
    interests: str | None = None,
    exclusions: str | None = None,
    frequency: str | None = None,
    confirmed: bool = False,
) -> tuple[Subscriber, bool, Outcome]:
    """The operator adds or updates a reader from the shell. Only the given values change.

    `confirmed` makes the reader active without any mail (the operator vouches for consent);
    otherwise a new or unconfirmed reader gets the confirmation mail, once per window, so running
    the command twice sends one mail. A suppressed address stays suppressed."""
    topics = None
    if topic_slugs is not None:
        topics = list(Topic.objects.filter(slug__in=topic_slugs))
        unknown = sorted(set(topic_slugs) - {topic.slug for topic in topics})
        if unknown:
            raise ValueError(f"unknown topic slug(s): {', '.join(unknown)}")
    if frequency is not None and frequency not in Subscriber.Frequency.values:
        raise ValueError(f"frequency must be one of {', '.join(Subscriber.Frequency.values)}")
    changes = {
        name: value
        for name, value in {
            "interests": interests,
            "exclusions": exclusions,
            "frequency": frequency,
        }.items()
        if value is not None
    }
    email = normalize_address(email)
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email__iexact=email,
            defaults={"email": email, **changes},
        )
        for name, value in changes.items():
            setattr(subscriber, name, value)
        if confirmed and subscriber.status in (Status.PENDING, Status.UNSUBSCRIBED):
            subscriber.status = Status.ACTIVE
            subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
            subscriber.unsubscribed_at = None
        subscriber.save()
        if topics is not None:
            subscriber.topics.set(topics)
    if confirmed or subscriber.status not in (Status.PENDING, Status.UNSUBSCRIBED):
        return subscriber, created, Outcome.NOTHING_SENT
    return subscriber, created, send_account_mail(subscriber)
