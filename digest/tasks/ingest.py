"""Ingestion tasks: beat enqueues every enabled source daily; each run then refreshes the scores."""

from __future__ import annotations

import datetime as dt

from celery import Task, shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from digest import embeddings, ingest
from digest.models import IngestRun, Source
from digest.sources.records import RateLimited

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
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    return ingest.recompute_trending(now=moment)


@shared_task(name="digest.embed_new_papers")
def embed_new_papers() -> int:
    """Embed every paper without a vector from the current model (safe to run twice)."""
    return embeddings.embed_papers()
