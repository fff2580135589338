"""Celery tasks, one module per concern; Celery's autodiscovery imports this package.

Every task takes ids or ISO dates, calls one domain function and is safe to run twice.
"""

from digest.tasks.ingest import ingest_all_sources, ingest_source, recompute_trending

__all__ = ["ingest_all_sources", "ingest_source", "recompute_trending"]
