"""What an operator may do to readers from the admin, as plain functions over querysets.

Each is one conditional UPDATE, so running it twice (or on readers in the wrong state) changes
nothing: confirming touches only pending readers, unsuppressing only suppressed ones.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from subscriptions.models import Subscriber
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
