"""Ingestion: fetch or read a document, parse it (digest.ingest.sources), merge it into Paper rows.

- `run_ingest(source=..., path=..., fmt=...)` -> IngestRun: one run, all-or-nothing.
- `store_records(records=..., source=..., run=...)` -> StoreCounts: the upsert.
- `recompute_trending(now=...)`: the stored trending score and why_trending
  (digest.ingest.trending).
- `close_stale_runs(now=...)`: runs a killed worker left `running` become failed.
"""

from digest.ingest.runs import close_stale_runs, run_ingest
from digest.ingest.scores import recompute_trending
from digest.ingest.store import StoreCounts, store_records

__all__ = ["StoreCounts", "close_stale_runs", "recompute_trending", "run_ingest", "store_records"]
