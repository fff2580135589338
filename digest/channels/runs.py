"""Which channel posts exist and which to post next: the channel side of the hourly run and
of the recovery beat (digest/tasks.py enqueues the batches these return).

A channel gets every edition built for its reader after the channel was added: one post per
(channel, edition) beside the email, with the Delivery row's papers. A skipped row (no
matches, paused, suppressed, unsubscribed) gets no posts. Creating is safe to repeat: the
unique (channel, edition) constraint and ignore_conflicts make a second run add nothing, and
a crash between building an edition and creating its posts is made good by the next run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from digest.channels.ledger import recover_stuck_posts
from digest.models import ChannelPost, Delivery
from digest.schedule import WEEKLY_CATCH_UP_DAYS
from subscriptions.models import Channel


def create_posts(*, deliveries: QuerySet[Delivery]) -> int:
    """A ChannelPost for each of these rows (not skipped) per active channel of its reader
    that existed when the row was built; returns how many were asked for."""
    active = Channel.objects.active()
    channels: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for pk, subscriber_id, created_at in active.values_list("pk", "subscriber_id", "created_at"):
        channels[subscriber_id].append((pk, created_at))
    if not channels:
        return 0
    rows = (
        deliveries.exclude(status=Delivery.Status.SKIPPED)
        .filter(subscriber_id__in=active.values("subscriber_id"))
        .values_list("pk", "edition_id", "subscriber_id", "created_at")
    )
    posts = [
        ChannelPost(channel_id=channel_id, edition_id=edition_id, delivery_id=delivery_id)
        for delivery_id, edition_id, subscriber_id, built_at in rows
        for channel_id, added_at in channels[subscriber_id]
        if added_at <= built_at
    ]
    ChannelPost.objects.bulk_create(posts, ignore_conflicts=True, batch_size=2000)
    return len(posts)


def _batches(posts: QuerySet[ChannelPost]) -> list[list[int]]:
    ids = list(posts.order_by("pk").values_list("pk", flat=True))
    size = settings.SEND_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _recent(now: dt.datetime) -> dt.date:
    return now.date() - dt.timedelta(days=WEEKLY_CATCH_UP_DAYS + 2)


def prepare_posts(*, now: dt.datetime | None = None) -> list[list[int]]:
    """Hourly, after the editions are built: settle crashed posts, create the new ones, and
    return every pending post of a recent edition in batches (which also resumes any run)."""
    now = now or timezone.now()
    recover_stuck_posts(now=now)
    create_posts(deliveries=Delivery.objects.filter(edition__date__gte=_recent(now)))
    return _batches(ChannelPost.objects.pending().filter(edition__date__gte=_recent(now)))


def stalled_posts(*, now: dt.datetime | None = None) -> list[list[int]]:
    """Every RECOVERY_INTERVAL_SECONDS: settle crashed posts, then the pending posts of recent
    editions that nobody is posting (none claimed within SENDING_STALE_MINUTES, the posts
    older than that). A repeat is harmless: the claims let one poster per row through."""
    now = now or timezone.now()
    recover_stuck_posts(now=now)
    quiet_since = now - dt.timedelta(minutes=settings.SENDING_STALE_MINUTES)
    pending = ChannelPost.objects.pending().filter(
        edition__date__gte=_recent(now), created_at__lt=quiet_since
    )
    busy = ChannelPost.objects.filter(claimed_at__gte=quiet_since).values("edition_id")
    return _batches(pending.exclude(edition_id__in=busy))


def edition_posts(*, edition_ids: list[int]) -> list[list[int]]:
    """`manage.py send_digests`: create and return the pending posts of these editions."""
    create_posts(deliveries=Delivery.objects.filter(edition_id__in=edition_ids))
    return _batches(ChannelPost.objects.pending().filter(edition_id__in=edition_ids))
