"""`manage.py bench ingest`: parse and store a 2,000-entry arXiv Atom listing, timed.

Three figures, each the best of `repeat` runs (the machine's noise only ever adds time):
1. bare parse: `feedparser.parse(data)` and nothing else;
2. full ingest: `run_ingest` on the same bytes (the safe XML door, feedparser, text cleaning and
   LaTeX rendering, the upsert of 2,000 new papers with their sightings) into tables that do not
   hold these papers: every repetition runs inside a transaction that is rolled back, on whatever
   database DATABASE_URL names (SQLite by default), so the benchmark leaves no trace;
3. re-ingest: the same bytes again on top of a completed ingest (all 2,000 unchanged).
It also prints `parse_document` alone (no database), to show how the time splits between
parsing and storing.
Targets: full <= 1.5 x bare, re-ingest <= 1.2 x bare.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import feedparser
from django.db import connection, transaction

from digest.bench.listing import atom_listing
from digest.ingest import run_ingest
from digest.models import IngestRun, Paper, Source
from digest.sources import parse_document

FULL_TARGET = 1.5
REINGEST_TARGET = 1.2


class _RollBack(Exception):
    """Raised to leave the benchmark's transaction without committing."""


@contextmanager
def rolled_back() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
            raise _RollBack
    except _RollBack:
        pass


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def ingest(data: bytes, source: Source) -> IngestRun:
    return run_ingest(source=source, document=data, fmt=Source.Kind.ARXIV_LISTING, label="bench")


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)


def run(*, stdout: TextIO, entries: int = 2000, repeat: int = 3, **options: Any) -> dict:
    """Print the three timings and their ratios; return them (the smoke test reads them)."""
    data = atom_listing(entries)
    stdout.write(
        f"arXiv Atom listing: {entries} entries, {len(data) / 1e6:.1f} MB; "
        f"database: {connection.vendor} (each ingest in a transaction rolled back); "
        f"best of {repeat}\n"
    )
    bare, parsed = best_of(repeat, lambda: feedparser.parse(data))
    # Where the time goes: the parsers' own work (safety door, feedparser, cleaning, LaTeX).
    parse_only, _ = best_of(repeat, lambda: parse_document(Source.Kind.ARXIV_LISTING, data))

    full_times: list[float] = []
    for _ in range(repeat):
        with rolled_back():
            source = Source.objects.create(
                name="bench-ingest", kind="arxiv-listing", url="https://rss.arxiv.org/atom/cs.LG"
            )
            seconds, first = best_of(1, lambda source=source: ingest(data, source))
            full_times.append(seconds)
    full = min(full_times)

    with rolled_back():
        source = Source.objects.create(
            name="bench-ingest", kind="arxiv-listing", url="https://rss.arxiv.org/atom/cs.LG"
        )
        ingest(data, source)
        reingest, again = best_of(repeat, lambda: ingest(data, source))

    figures = {
        "entries": len(parsed.entries),
        "bare_parse": bare,
        "parse_document": parse_only,
        "full_ingest": full,
        "reingest": reingest,
        "full_ratio": full / bare,
        "reingest_ratio": reingest / bare,
        "first_run": first,
        "second_run": again,
    }
    rows = [
        ("bare feedparser.parse", bare, "", ""),
        ("parse_document (no database)", parse_only, f"{parse_only / bare:.2f}x", ""),
        (
            f"full ingest ({first.new} new)",
            full,
            f"{full / bare:.2f}x",
            f"target <= {FULL_TARGET}x {'met' if full / bare <= FULL_TARGET else 'MISSED'}",
        ),
        (
            f"re-ingest ({again.unchanged} unchanged)",
            reingest,
            f"{reingest / bare:.2f}x",
            f"target <= {REINGEST_TARGET}x "
            f"{'met' if reingest / bare <= REINGEST_TARGET else 'MISSED'}",
        ),
    ]
    for label, seconds, ratio, verdict in rows:
        stdout.write(f"  {label:<32} {seconds * 1000:9.1f} ms  {ratio:>6}  {verdict}\n")
    stdout.write(f"  (papers table left with {Paper.objects.count()} rows, as before)\n")
    return figures
