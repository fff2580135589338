"""Upsert one document's records: one Paper per canonical id, sightings per source, snapshots.

The merge rules (which value wins) are in digest/ingest/merge.py; this module applies them to
the database with plain Django: `in_bulk` loads the papers that already exist, `bulk_create`
inserts the new ones and the signal snapshots, `bulk_update` writes only the fields that
changed (a paper whose merge changes nothing is not written at all), and the sightings are one
`bulk_create(update_conflicts=True)` upsert on (paper, source) that moves `last_seen_at`.

Everything happens in one transaction that first takes the paper-store lock, so two ingests that
overlap (the same source twice, or two sources that share papers) run their merges one after the
other: no duplicate rows, no lost update, and never a half-written paper.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from digest.ingest.merge import clamp_record, merge_into, new_paper, signals_of
from digest.ingest.sources.records import PaperRecord
from digest.models import IngestRun, Paper, PaperSighting, SignalSnapshot, Source

STORE_LOCK_KEY = zlib.crc32(b"paperboy.paper-store")
BATCH = 500  # rows per statement (Django lowers it further on SQLite)


@dataclass
class StoreCounts:
    """What happened to the distinct papers of one document."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    warnings: list[str] = field(default_factory=list)


def lock_paper_store(run: IngestRun) -> None:
    """Serialise paper writes until the surrounding transaction ends.

    PostgreSQL: a transaction-level advisory lock (released at commit or rollback, so it cannot
    leak). SQLite: a first write takes the database's single writer lock before anything is read.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STORE_LOCK_KEY])
    else:
        IngestRun.objects.filter(pk=run.pk).update(status=IngestRun.Status.RUNNING)


def is_storable(record: PaperRecord) -> bool:
    return bool(record.canonical_id) and len(record.canonical_id) <= 300 and bool(record.title)


def store_records(
    *,
    records: list[PaperRecord],
    source: Source | None,
    run: IngestRun,
    now: dt.datetime | None = None,
) -> StoreCounts:
    """Merge `records` into the database in one transaction; see the module docstring."""
    now = now or timezone.now()
    counts = StoreCounts()
    storable = []
    for record in records:
        if is_storable(record):
            storable.append(clamp_record(record, now=now, warnings=counts.warnings))
        else:
            counts.failed += 1
    if not storable:
        return counts

    with transaction.atomic():
        lock_paper_store(run)
        canonical_ids = list(dict.fromkeys(record.canonical_id for record in storable))
        # The embeddings are the large columns, and no merge reads them.
        stored = Paper.objects.defer("embedding", "sentence_embeddings")
        existing = stored.in_bulk(canonical_ids, field_name="canonical_id")
        before = {cid: signals_of(paper) for cid, paper in existing.items()}
        created: dict[str, Paper] = {}
        changed_fields: dict[str, set[str]] = {}
        for record in storable:
            cid = record.canonical_id
            if cid in existing:
                changed = merge_into(existing[cid], record)
                if changed:
                    changed_fields.setdefault(cid, set()).update(changed)
            elif cid in created:
                merge_into(created[cid], record)
            else:
                created[cid] = new_paper(record)
                created[cid].first_seen_at = now
                created[cid].updated_at = now

        Paper.objects.bulk_create(created.values(), batch_size=BATCH)
        _update_changed(existing, changed_fields, now)

        counts.new = len(created)
        counts.updated = len(changed_fields)
        counts.unchanged = len(existing) - counts.updated

        papers = [*existing.values(), *created.values()]
        if source is not None:
            _record_sightings(papers, source, now)
        _snapshot_signals(papers, before, now)
    return counts


def _update_changed(
    existing: dict[str, Paper], changed_fields: dict[str, set[str]], now: dt.datetime
) -> None:
    """One bulk UPDATE per distinct set of changed fields (usually one or two sets)."""
    groups: dict[frozenset[str], list[Paper]] = {}
    for cid, fields in changed_fields.items():
        paper = existing[cid]
        paper.updated_at = now
        groups.setdefault(frozenset(fields), []).append(paper)
    for fields, papers in groups.items():
        Paper.objects.bulk_update(papers, [*sorted(fields), "updated_at"], batch_size=BATCH)


def _record_sightings(papers: list[Paper], source: Source, now: dt.datetime) -> None:
    """One upsert: a sighting that exists keeps its first_seen_at and moves last_seen_at."""
    PaperSighting.objects.bulk_create(
        [
            PaperSighting(paper_id=paper.pk, source=source, first_seen_at=now, last_seen_at=now)
            for paper in papers
        ],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["paper", "source"],
        update_fields=["last_seen_at"],
    )


def _snapshot_signals(
    papers: list[Paper],
    before: dict[str, tuple[int | None, int | None, int | None]],
    now: dt.datetime,
) -> None:
    """A snapshot for every paper with signals whose signals changed (or are new)."""
    snapshots = []
    for paper in papers:
        signals = signals_of(paper)
        if any(v is not None for v in signals) and signals != before.get(paper.canonical_id):
            upvotes, stars, comments = signals
            snapshots.append(
                SignalSnapshot(
                    paper_id=paper.pk,
                    taken_at=now,
                    upvotes=upvotes,
                    github_stars=stars,
                    num_comments=comments,
                )
            )
    SignalSnapshot.objects.bulk_create(snapshots, batch_size=BATCH)
