"""Upsert one document's records: one Paper per canonical id, sightings per source, snapshots.

Cost per document, whatever its size: one query (per 900 ids) loads what is stored of the papers
that already exist, as plain values rather than model instances, and only the columns this
document's records could change; then one bulk INSERT for new papers, one bulk UPDATE of only
the fields that changed, one UPDATE of the sightings (plus an INSERT of the missing ones) and one
bulk INSERT of snapshots. A paper that did not change is not written at all.

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

from digest.ingest import bulk
from digest.ingest.merge import (
    KEEP_FIRST,
    LATEST_TEXT,
    SIGNALS,
    clamp_record,
    merge_into,
    new_paper,
)
from digest.ingest.sources.records import PaperRecord
from digest.models import IngestRun, Paper, PaperSighting, SignalSnapshot, Source

ID_CHUNK = 900  # stays under SQLite's bound-parameter limit on old builds
STORE_LOCK_KEY = zlib.crc32(b"paperboy.paper-store")


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


class StoredPaper:
    """The stored values of one paper that a merge reads (a plain object: no model instance is
    built for a paper that turns out unchanged, which is most of them on a re-ingest)."""

    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


# Read whatever the records say; the others only when some record carries a value for them,
# since merge_into reads a stored field only when the record has something to offer for it.
ALWAYS_READ = ("title", "title_display", "abstract", "authors")
READ_WHEN_OFFERED = (
    "categories",
    "version",
    "published_at",
    "trending_date",
    *SIGNALS,
    *LATEST_TEXT,
    "ai_keywords",
    *KEEP_FIRST,
)


def fields_to_read(records: list[PaperRecord]) -> list[str]:
    offered = [
        name
        for name in READ_WHEN_OFFERED
        if any(getattr(record, name) not in (None, "", []) for record in records)
    ]
    return [*ALWAYS_READ, *offered]


def load_papers(canonical_ids: list[str], fields: list[str]) -> dict[str, StoredPaper]:
    found: dict[str, StoredPaper] = {}
    for start in range(0, len(canonical_ids), ID_CHUNK):
        chunk = canonical_ids[start : start + ID_CHUNK]
        rows = Paper.objects.filter(canonical_id__in=chunk).order_by()
        for values in rows.values("id", "canonical_id", *fields):
            found[values["canonical_id"]] = StoredPaper(**values)
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
            storable.append(clamp_record(record, now=now, warnings=counts.warnings))
        else:
            counts.failed += 1
    if not storable:
        return counts
    fields = fields_to_read(storable)
    with_signals = any(name in fields for name in SIGNALS)

    with transaction.atomic():
        lock_paper_store(run)
        existing = load_papers(list(dict.fromkeys(r.canonical_id for r in storable)), fields)
        before = {cid: _signals(paper) for cid, paper in existing.items()} if with_signals else {}
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

        bulk.insert(Paper, list(created.values()))
        _update_changed(existing, changed_fields, now)

        counts.new = len(created)
        counts.updated = len(changed_fields)
        counts.unchanged = len(existing) - counts.updated

        if source is not None:
            _record_sightings(
                [paper.id for paper in existing.values()],
                [paper.pk for paper in created.values()],
                source,
                now,
            )
        if with_signals:
            _snapshot_signals([*existing.values(), *created.values()], before, now)
    return counts


def _signals(paper: StoredPaper | Paper) -> tuple[int | None, int | None, int | None]:
    return (
        getattr(paper, "upvotes", None),
        getattr(paper, "github_stars", None),
        getattr(paper, "num_comments", None),
    )


def _snapshot_signals(
    papers: list[StoredPaper | Paper],
    before: dict[str, tuple[int | None, int | None, int | None]],
    now: dt.datetime,
) -> None:
    snapshots = []
    for paper in papers:
        signals = _signals(paper)
        if any(v is not None for v in signals) and signals != before.get(paper.canonical_id):
            upvotes, stars, comments = signals
            snapshots.append(
                SignalSnapshot(
                    paper_id=paper.id,
                    taken_at=now,
                    upvotes=upvotes,
                    github_stars=stars,
                    num_comments=comments,
                )
            )
    bulk.insert(SignalSnapshot, snapshots)


def _update_changed(
    existing: dict[str, StoredPaper], changed_fields: dict[str, set[str]], now: dt.datetime
) -> None:
    """One bulk UPDATE per distinct set of changed fields (usually one or two sets)."""
    groups: dict[frozenset[str], list[Paper]] = {}
    for cid, fields in changed_fields.items():
        stored = existing[cid]
        paper = Paper(
            id=stored.id, updated_at=now, **{name: getattr(stored, name) for name in fields}
        )
        groups.setdefault(frozenset(fields), []).append(paper)
    for fields, papers in groups.items():
        Paper.objects.bulk_update(papers, [*sorted(fields), "updated_at"], batch_size=500)


def _record_sightings(
    existing_ids: list[int], created_ids: list[int], source: Source, now: dt.datetime
) -> None:
    """Move last_seen_at with one UPDATE; insert the sightings that do not exist yet: those of
    new papers, and of stored papers this source had not seen (looked up only if there are any,
    which the UPDATE's row count tells)."""
    moved = 0
    for start in range(0, len(existing_ids), ID_CHUNK):
        chunk = existing_ids[start : start + ID_CHUNK]
        sightings = PaperSighting.objects.filter(source=source, paper_id__in=chunk)
        moved += sightings.update(last_seen_at=now)
    unseen = list(created_ids)
    if moved < len(existing_ids):
        seen: set[int] = set()
        for start in range(0, len(existing_ids), ID_CHUNK):
            chunk = existing_ids[start : start + ID_CHUNK]
            sightings = PaperSighting.objects.filter(source=source, paper_id__in=chunk)
            seen.update(sightings.values_list("paper_id", flat=True))
        unseen += [pk for pk in existing_ids if pk not in seen]
    bulk.insert(
        PaperSighting,
        [
            PaperSighting(paper_id=pk, source_id=source.pk, first_seen_at=now, last_seen_at=now)
            for pk in unseen
        ],
    )
