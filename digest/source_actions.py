"""What an operator does to sources from the admin: enable, pause, run now."""

from __future__ import annotations

from celery import current_app
from django.db import transaction
from django.db.models import QuerySet

from digest.logs import log_event
from digest.models import Source

INGEST_SOURCE_TASK = "digest.ingest_source"


def enable_sources(*, sources: QuerySet[Source]) -> int:
    return sources.filter(enabled=False).update(enabled=True)


def pause_sources(*, sources: QuerySet[Source]) -> int:
    return sources.filter(enabled=True).update(enabled=False)


def enqueue_ingest(*, source_ids: list[int], requested_by: str = "") -> int:
    """Queue one ingest per source, after the surrounding transaction commits.

    Paused sources run too: "run now" is an explicit request (e.g. to test a source before
    enabling it). Overlapping runs of one source are the ingest task's to make harmless.
    """
    for source_id in source_ids:
        transaction.on_commit(
            lambda source_id=source_id: current_app.send_task(INGEST_SOURCE_TASK, args=[source_id])
        )
        log_event("ingest.enqueued", source_id=source_id, requested_by=requested_by)
    return len(source_ids)
