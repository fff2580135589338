"""What the scheduler, the send_digests command and the welcome hand-off do: build, then send."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

from digest.delivery.ledger import Recovery, recover_stuck_deliveries
from digest.delivery.send import BatchResult, send_batch, send_pending_here
from digest.editions import build_edition, candidate_papers, match_readers
from digest.models import Delivery, Edition
from digest.schedule import WEEKLY_CATCH_UP_DAYS, due_readers
from subscriptions.models import Subscriber

log = logging.getLogger(__name__)

# When the hourly send_due_digests last completed (in the shared cache): what an outage missed.
LAST_RUN_KEY = "paperboy:send-due-digests:last-run"


@dataclass
class SendReport:
    edition: Edition
    built: int  # ledger rows created by this run
    recovered: Recovery  # rows a crash left behind, settled by the rule
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def prepare_edition(*, frequency: str, date: dt.date) -> SendReport:
    """Settle what a crash left behind, then build (or resume) the edition for every reader of
    `frequency`; nothing is sent yet (the caller sends here or enqueues the pending rows)."""
    recovered = recover_stuck_deliveries()
    build = build_edition(frequency=frequency, date=date)
    return SendReport(
        edition=build.edition, built=build.created, recovered=recovered, skipped=build.skipped
    )


def send_edition(*, frequency: str, date: dt.date) -> SendReport:
    """Build (or resume) the edition for every reader of `frequency`, then send what is pending
    in this process. Safe to run twice: the second run finds every row already settled."""
    report = prepare_edition(frequency=frequency, date=date)
    result: BatchResult = send_pending_here(edition_ids=[report.edition.pk])
    report.sent, report.failed = result.sent, result.failed
    report.skipped += result.skipped
    return report


def preview_edition(*, frequency: str, date: dt.date) -> list[dict]:
    """What send_edition would send, changing nothing: one entry per reader who would get mail."""
    readers = Subscriber.objects.receiving(date).filter(frequency=frequency)
    edition = Edition.objects.filter(frequency=frequency, date=date).first()
    if edition is not None:
        readers = readers.exclude(deliveries__edition=edition)
    candidates = list(candidate_papers(frequency=frequency, date=date).order_by("pk"))
    digests = match_readers(readers=readers, candidates=candidates)
    titles = {p.canonical_id: p.display_title for p in candidates}
    emails = dict(readers.values_list("pk", "email"))
    return [
        {
            "email": emails[pk],
            "papers": [
                {"id": p["id"], "title": titles[p["id"]], "score": p["score"], "why": p["why"]}
                for p in papers
            ],
        }
        for pk, papers in sorted(digests.items(), key=lambda item: emails[item[0]].lower())
        if papers
    ]


def build_due_editions(*, now: dt.datetime | None = None) -> list[int]:
    """Hourly: settle crashed rows, build each due reader's edition (their LOCAL date) and
    return every recent edition with pending rows (sending them all also resumes interrupted
    runs)."""
    now = now or timezone.now()
    recover_stuck_deliveries(now=now)
    edition_ids: set[int] = set()
    last_run = _last_run()
    for (frequency, date), reader_ids in due_readers(now=now, last_run=last_run).items():
        build = build_edition(
            frequency=frequency, date=date, readers=Subscriber.objects.filter(pk__in=reader_ids)
        )
        edition_ids.add(build.edition.pk)
    # Late weekly editions (WEEKLY_CATCH_UP_DAYS), dated in zones west of UTC, are recent too.
    since = now.date() - dt.timedelta(days=WEEKLY_CATCH_UP_DAYS + 2)
    recent = Edition.objects.filter(date__gte=since)
    pending = recent.filter(deliveries__status=Delivery.Status.PENDING)
    edition_ids.update(pending.values_list("pk", flat=True).distinct())  # not a row per delivery
    if last_run is None or now > last_run:
        _record_run(now)
    return sorted(edition_ids)


def stalled_editions(*, now: dt.datetime | None = None) -> list[int]:
    """Every RECOVERY_INTERVAL_SECONDS (beat): settle rows a crash left behind, then return the
    recent editions with pending rows that nobody is sending (the task re-enqueues them),
    so an edition resumes within minutes of a crash instead of at the next hourly run.

    Nobody is sending an edition when none of its rows was claimed within the stale rule
    (SENDING_STALE_MINUTES) and it was built before that: its batches died with a worker (a
    SIGKILLed worker's unacknowledged batches come back from Redis only after the visibility
    timeout, an hour) or with the broker. An edition being sent is left alone, so its queued
    batches are not doubled; a repeat is harmless anyway (the claims let one sender per row
    through).
    """
    now = now or timezone.now()
    recover_stuck_deliveries(now=now)
    quiet_since = now - dt.timedelta(minutes=settings.SENDING_STALE_MINUTES)
    recent = now - dt.timedelta(days=WEEKLY_CATCH_UP_DAYS + 2)
    candidates = (
        Edition.objects.filter(
            created_at__gte=recent,
            created_at__lt=quiet_since,
            deliveries__status=Delivery.Status.PENDING,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    stalled = [
        edition_id
        for edition_id in candidates
        if not Delivery.objects.filter(edition_id=edition_id, claimed_at__gte=quiet_since).exists()
    ]
    return sorted(stalled)


def _last_run() -> dt.datetime | None:
    try:
        return cache.get(LAST_RUN_KEY)
    except (RedisError, OSError):
        log.warning("cache unavailable: missed weekly editions are not caught up on this run")
        return None


def _record_run(now: dt.datetime) -> None:
    try:
        cache.set(LAST_RUN_KEY, now, timeout=None)
    except (RedisError, OSError):
        log.warning("cache unavailable: this run's time is not recorded")


def send_welcome_digest(*, subscriber_id: int, now: dt.datetime | None = None) -> BatchResult:
    """A new reader's first digest, at once: the best of the past week in their interests."""
    now = now or timezone.now()
    build = build_edition(
        frequency=Edition.Frequency.WELCOME,
        date=now.date(),
        readers=Subscriber.objects.filter(pk=subscriber_id),
    )
    ids = list(
        build.edition.deliveries.pending()
        .filter(subscriber_id=subscriber_id)
        .values_list("pk", flat=True)
    )
    return send_batch(delivery_ids=ids)
