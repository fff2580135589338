"""Celery tasks, one module per concern; Celery's autodiscovery imports this package.

Every task takes ids or ISO dates, calls one domain function and is safe to run twice.
"""

from digest.tasks.delivery import (
    process_email_event,
    recover_deliveries,
    send_batch,
    send_due_digests,
    send_welcome_digest,
)
from digest.tasks.ingest import (
    close_stale_ingest_runs,
    ingest_all_sources,
    ingest_source,
    recompute_trending,
)

__all__ = [
    "close_stale_ingest_runs",
    "ingest_all_sources",
    "ingest_source",
    "process_email_event",
    "recompute_trending",
    "recover_deliveries",
    "send_batch",
    "send_due_digests",
    "send_welcome_digest",
]
