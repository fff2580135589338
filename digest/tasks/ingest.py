"""Ingestion tasks: beat enqueues every enabled source daily; each run then refreshes the scores."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from digest import ingest
from digest.models import IngestRun, Source


@shared_task(
    name="digest.ingest_source",
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=3,
)
def ingest_source(source_id: int, day: str | None = None) -> str:
    """Run one source (a paused or deleted source is skipped); `day` is an ISO date for HF."""
    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        return "skipped: no such enabled source"
    run = ingest.run_ingest(source=source, day=dt.date.fromisoformat(day) if day else None)
    if run.status == IngestRun.Status.OK and (run.new or run.updated):
        transaction.on_commit(recompute_trending.delay)
    return f"{run.status}: {run.new} new, {run.updated} updated"


@shared_task(name="digest.ingest_all_sources")
def ingest_all_sources() -> int:
    """Enqueue one ingest_source per enabled source; returns how many were enqueued."""
    ids = list(Source.objects.filter(enabled=True).values_list("pk", flat=True))
    for source_id in ids:
        ingest_source.delay(source_id)
    return len(ids)


@shared_task(name="digest.recompute_trending")
def recompute_trending(now: str | None = None) -> int:
    """Refresh trending_score and why_trending; `now` is an ISO datetime (default: the clock)."""
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    return ingest.recompute_trending(now=moment)
