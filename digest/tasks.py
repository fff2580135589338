"""Every Celery task, thin: ids and ISO dates in, one service call, safe to run twice.

Fan-out lives here and nowhere else: a service returns what is to be done (edition ids,
source ids, an event id) and this module enqueues it after the surrounding transaction
commits. Retry policies are on the decorators; queues are settings.CELERY_TASK_ROUTES.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from digest import embeddings, ingest, library
from digest.channels import runs as channel_runs
from digest.channels.send import post_batch, send_test_post
from digest.delivery import runs, webhooks
from digest.delivery.errors import retry_delay
from digest.delivery.send import pending_batches
from digest.delivery.send import send_batch as send_batch_now
from digest.ingest.sources.records import RateLimited, SourceError
from digest.logs import log_event
from digest.models import IngestRun, Source


def _moment(now: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(now) if now else timezone.now()


# --- Delivery -------------------------------------------------------------------------------


def enqueue_pending(*, edition_ids: list[int], post_batches: Sequence[list[int]] = ()) -> int:
    """Hand every pending row of these editions to the workers, in batches, after commit;
    and the channel posts' batches (Slack, Discord, Matrix) beside them."""
    batches = pending_batches(edition_ids=edition_ids)
    for batch in batches:
        transaction.on_commit(lambda batch=batch: send_batch.delay(delivery_ids=batch))
    for batch in post_batches:
        transaction.on_commit(lambda batch=batch: send_channel_posts.delay(post_ids=batch))
    return len(batches)


@shared_task(name="digest.send_due_digests")
def send_due_digests(now: str | None = None) -> int:
    """Hourly: build every due reader's edition and its channel posts, then enqueue what is
    pending."""
    moment = _moment(now)
    edition_ids = runs.build_due_editions(now=moment)
    return enqueue_pending(
        edition_ids=edition_ids, post_batches=channel_runs.prepare_posts(now=moment)
    )


@shared_task(name="digest.recover_deliveries")
def recover_deliveries(now: str | None = None) -> int:
    """Every RECOVERY_INTERVAL_SECONDS: resume editions a crash stopped (safe to run twice)."""
    moment = _moment(now)
    return enqueue_pending(
        edition_ids=runs.stalled_editions(now=moment),
        post_batches=channel_runs.stalled_posts(now=moment),
    )


# A dropped database connection (failover, restart, a killed backend) retries the whole batch:
# rows it had not claimed are still pending and are sent by the retry; a row it had claimed is
# left `sending`/`handed_over` and the stale rule settles it (docs: "Reliability").
DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRIES = 6


@shared_task(bind=True, name="digest.send_batch", max_retries=None)
def send_batch(self: Task, *, delivery_ids: list[int], database_retries: int = 0) -> dict[str, int]:
    """Send one batch. Rows that hit a transient error are retried, alone, after a back-off
    (exponential + jitter, capped far below the visibility timeout). Retries are bounded per
    row by Delivery.attempts (SEND_MAX_ATTEMPTS), so the task itself needs no limit; database
    errors are retried DATABASE_RETRIES times with the same back-off (Celery's fix-up closes the
    broken connection before the retry runs; CONN_HEALTH_CHECKS replaces a silently dead one)."""
    try:
        result = send_batch_now(delivery_ids=delivery_ids)
    except DATABASE_ERRORS as error:
        if database_retries >= DATABASE_RETRIES:
            raise
        raise self.retry(
            exc=error,
            kwargs={"delivery_ids": delivery_ids, "database_retries": database_retries + 1},
            countdown=retry_delay(database_retries + 1),
        ) from error
    if result.retry:
        raise self.retry(
            kwargs={"delivery_ids": result.retry},
            countdown=retry_delay(self.request.retries + 1),
        )
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}


@shared_task(bind=True, name="digest.send_channel_posts", max_retries=None)
def send_channel_posts(
    self: Task, *, post_ids: list[int], database_retries: int = 0
) -> dict[str, int]:
    """Post one batch of channel posts; like send_batch, rows a 429/5xx put back are retried
    alone after a back-off (at least what the platform's Retry-After asked, within the cap),
    bounded per row by ChannelPost.attempts (SEND_MAX_ATTEMPTS)."""
    try:
        result = post_batch(post_ids=post_ids)
    except DATABASE_ERRORS as error:
        if database_retries >= DATABASE_RETRIES:
            raise
        raise self.retry(
            exc=error,
            kwargs={"post_ids": post_ids, "database_retries": database_retries + 1},
            countdown=retry_delay(database_retries + 1),
        ) from error
    if result.retry:
        wait = min(result.retry_after or 0.0, settings.SEND_RETRY_MAX_SECONDS)
        raise self.retry(
            kwargs={"post_ids": result.retry},
            countdown=max(wait, retry_delay(self.request.retries + 1)),
        )
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}


@shared_task(name="digest.send_channel_test")
def send_channel_test(channel_id: int) -> str:
    """A reader's "send a test post" (rate-limited where it is asked for)."""
    return send_test_post(channel_id=channel_id)


@shared_task(name="digest.send_welcome_digest")
def send_welcome_digest(subscriber_id: int) -> dict[str, int]:
    result = runs.send_welcome_digest(subscriber_id=subscriber_id)
    if result.retry:
        send_batch.apply_async(kwargs={"delivery_ids": result.retry}, countdown=retry_delay(1))
    return {"sent": result.sent, "failed": result.failed}


@shared_task(name="digest.process_email_event")
def process_email_event(event_id: int) -> None:
    webhooks.process_email_event(event_pk=event_id)


# --- Ingest ---------------------------------------------------------------------------------

# A source that says "slow down" (HTTP 429, arXiv's "Rate exceeded.") is asked again later, as
# often as any task is retried. The wait is what it asked for, else doubling from a minute, and
# never beyond MAX_RATE_LIMIT_WAIT: a countdown close to the Redis broker's visibility timeout
# (CELERY_VISIBILITY_TIMEOUT, 3600 s) would let Redis hand the waiting task to a second worker.
MIN_RATE_LIMIT_WAIT = 60.0
MAX_RATE_LIMIT_WAIT = 900.0
MAX_RETRIES = 3


def rate_limit_countdown(retry_after: float | None, *, retries: int) -> float:
    """Seconds to wait before attempt `retries + 2` of a rate-limited ingest."""
    wanted = retry_after if retry_after is not None else MIN_RATE_LIMIT_WAIT * 2**retries
    return min(MAX_RATE_LIMIT_WAIT, max(MIN_RATE_LIMIT_WAIT, wanted))


def enqueue_ingest(*, source_ids: list[int], requested_by: str = "") -> int:
    """The admin's "run now": one ingest per source, after the surrounding transaction commits.
    Overlapping runs of one source are the ingest task's to make harmless."""
    for source_id in source_ids:
        transaction.on_commit(lambda source_id=source_id: ingest_source.delay(source_id))
        log_event("ingest.enqueued", source_id=source_id, requested_by=requested_by)
    return len(source_ids)


@shared_task(
    bind=True,
    name="digest.ingest_source",
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def ingest_source(self: Task, source_id: int, day: str | None = None) -> str:
    """Run one source (a paused or deleted source is skipped); `day` is an ISO date for HF.

    Rate limited: the failed run is recorded, and the task retried later (see above) for the
    same day, so a retry after midnight still fetches the listing it was asked for.
    """
    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        return "skipped: no such enabled source"
    run_day = dt.date.fromisoformat(day) if day else timezone.localdate()
    try:
        run = ingest.run_ingest(source=source, day=run_day, raise_rate_limited=True)
    except RateLimited as limited:
        countdown = rate_limit_countdown(limited.retry_after, retries=self.request.retries)
        raise self.retry(
            args=[source_id], kwargs={"day": run_day.isoformat()}, exc=limited, countdown=countdown
        ) from limited
    if run.status == IngestRun.Status.OK and (run.new or run.updated):
        transaction.on_commit(recompute_trending.delay)
        transaction.on_commit(embed_new_papers.delay)
    return f"{run.status}: {run.new} new, {run.updated} updated"


@shared_task(name="digest.ingest_all_sources")
def ingest_all_sources() -> int:
    """Enqueue one ingest_source per enabled source; returns how many were enqueued."""
    ids = list(Source.objects.filter(enabled=True).values_list("pk", flat=True))
    for source_id in ids:
        ingest_source.delay(source_id)
    return len(ids)


@shared_task(name="digest.close_stale_ingest_runs")
def close_stale_ingest_runs() -> int:
    """Beat, every 10 minutes: close runs a killed worker left `running`; retry their sources."""
    source_ids = ingest.close_stale_runs(now=timezone.now())
    for source_id in source_ids:
        transaction.on_commit(lambda source_id=source_id: ingest_source.delay(source_id))
    return len(source_ids)


@shared_task(name="digest.recompute_trending")
def recompute_trending(now: str | None = None) -> int:
    """Refresh trending_score and why_trending; `now` is an ISO datetime (default: the clock)."""
    return ingest.recompute_trending(now=_moment(now))


@shared_task(name="digest.embed_new_papers")
def embed_new_papers() -> int:
    """Embed every paper without a vector from the current model (safe to run twice)."""
    return embeddings.embed_papers()


@shared_task(
    bind=True,
    name="digest.ingest_library",  # the ingest queue: it may ask the arXiv API
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def ingest_library(self: Task, subscriber_id: int) -> dict[str, int]:
    """A reader's pasted or uploaded seeds become marks (digest/library.py). arXiv refusing or
    away: retried later; after the last retry what is still unknown is "not found"."""
    try:
        result = library.import_library(subscriber_id=subscriber_id)
    except SourceError as error:  # RateLimited included
        if self.request.retries < MAX_RETRIES:
            countdown = rate_limit_countdown(
                getattr(error, "retry_after", None), retries=self.request.retries
            )
            raise self.retry(args=[subscriber_id], exc=error, countdown=countdown) from error
        library.resolve(subscriber_id=subscriber_id, final=True)
        return {"asked": 0, "fetched": 0, "marks": -1}
    if result["fetched"]:
        transaction.on_commit(embed_new_papers.delay)
    return result
