"""Upsert one document's records: one Paper per canonical id, sightings per source, snapshots.

Cost per document, whatever its size: one query (per 900 ids) loads the papers that already
exist, then one bulk INSERT for new papers, one bulk UPDATE of only the fields that changed, one
upsert of the sightings and one bulk INSERT of snapshots. A paper that did not change is not
written at all.

Everything happens in one transaction that first takes the paper-store lock, so two ingests that
overlap (the same source twice, or two sources that share papers) run their merges one after the
other: no duplicate rows, no lost update, and never a half-written paper.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from digest.ingest.merge import clamp_record, merge_into, new_paper, signals_of
from digest.models import IngestRun, Paper, PaperSighting, SignalSnapshot, Source
from digest.sources.records import PaperRecord

ID_CHUNK = 900  # stays under SQLite's bound-parameter limit on old builds
STORE_LOCK_KEY = zlib.crc32(b"paperboy.paper-store")


@dataclass
class StoreCounts:
    """What happened to the distinct papers of one document."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


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


def load_papers(canonical_ids: list[str]) -> dict[str, Paper]:
    found: dict[str, Paper] = {}
    for start in range(0, len(canonical_ids), ID_CHUNK):
        chunk = canonical_ids[start : start + ID_CHUNK]
        found.update((p.canonical_id, p) for p in Paper.objects.filter(canonical_id__in=chunk))
    return found


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
            storable.append(clamp_record(record))
        else:
            counts.failed += 1
    if not storable:
        return counts

    with transaction.atomic():
        lock_paper_store(run)
        existing = load_papers(list(dict.fromkeys(r.canonical_id for r in storable)))
        before = {cid: signals_of(paper) for cid, paper in existing.items()}
        created: dict[str, Paper] = {}
        changed_fields: dict[str, set[str]] = {}
        for record in storable:
            cid = record.canonical_id
            if cid in existing:
                fields = merge_into(existing[cid], record)
                if fields:
                    changed_fields.setdefault(cid, set()).update(fields)
            elif cid in created:
                merge_into(created[cid], record)
            else:
                created[cid] = new_paper(record)
                created[cid].first_seen_at = now
                created[cid].updated_at = now

        Paper.objects.bulk_create(list(created.values()), batch_size=500)
        _update_changed(existing, changed_fields, now)

        counts.new = len(created)
        counts.updated = len(changed_fields)
        counts.unchanged = len(existing) - counts.updated

        papers = [*existing.values(), *created.values()]
        if source is not None:
            _record_sightings(papers, source, now)
        snapshots = [
            SignalSnapshot(
                paper=paper,
                taken_at=now,
                upvotes=paper.upvotes,
                github_stars=paper.github_stars,
                num_comments=paper.num_comments,
            )
            for paper in papers
            if any(v is not None for v in signals_of(paper))
            and signals_of(paper) != before.get(paper.canonical_id)
        ]
        SignalSnapshot.objects.bulk_create(snapshots, batch_size=500)
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
        Paper.objects.bulk_update(papers, [*sorted(fields), "updated_at"], batch_size=500)


def _record_sightings(papers: list[Paper], source: Source, now: dt.datetime) -> None:
    """Move last_seen_at with one UPDATE; insert only the sightings that do not exist yet."""
    ids = [paper.pk for paper in papers]
    seen: set[int] = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        sightings = PaperSighting.objects.filter(source=source, paper_id__in=chunk)
        seen.update(sightings.values_list("paper_id", flat=True))
        sightings.update(last_seen_at=now)
    PaperSighting.objects.bulk_create(
        [
            PaperSighting(paper_id=pk, source=source, first_seen_at=now, last_seen_at=now)
            for pk in ids
            if pk not in seen
        ],
        batch_size=500,
    )
