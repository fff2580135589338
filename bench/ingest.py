"""`manage.py bench ingest`: parse and store a 2,000-entry arXiv Atom listing, timed.

Three figures, each the best of `repeat` runs (the machine's noise only ever adds time):
1. bare parse: `feedparser.parse(data)` and nothing else;
2. full ingest: `run_ingest` on the same bytes (the safe XML door, feedparser, text cleaning and
   LaTeX rendering, the upsert of 2,000 new papers with their sightings) into tables that do not
   hold these papers: every repetition runs inside a transaction that is rolled back, on whatever
   database DATABASE_URL names (SQLite by default), so the benchmark leaves no trace;
3. re-ingest: the same bytes again right after the full ingest, in the same transaction (all
   2,000 unchanged).
It also prints `parse_document` alone (no database), to show how the time splits between
parsing and storing.

Each figure is given twice: wall-clock time (what the targets are about; it includes the
database server's work, and on a busy machine other processes' too) and this process's CPU time
(`time.process_time`: steadier under load; with SQLite it covers all the work, with PostgreSQL
it leaves out the server's share). Remembered LaTeX renderings are forgotten before every timed
repetition, so no repetition profits from an earlier one.
Targets (issue #13): full <= 3 x bare, since nobody waits on a daily ingest of seconds; re-ingest
<= 3 x bare as well, for the same reason (it does less work than the full ingest, so it should
read below it; a re-ingest above the full ingest would mean unchanged papers are written again).
"""

from __future__ import annotations

import gc
import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

import feedparser
from django.db import connection, transaction
from django.test.utils import override_settings

from bench.listing import atom_listing
from digest.ingest import run_ingest
from digest.ingest.cleaning import clear_caches
from digest.ingest.sources import parse_document
from digest.models import IngestRun, Paper, Source

FULL_TARGET = 3.0
REINGEST_TARGET = 3.0


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


@dataclass(frozen=True)
class Timing:
    """Best wall-clock and best CPU time over the repetitions (each minimum taken separately)."""

    wall: float
    cpu: float

    def __truediv__(self, other: Timing) -> Timing:
        return Timing(self.wall / other.wall, self.cpu / other.cpu)


def timed(action: Callable[[], Any]) -> tuple[Timing, Any]:
    clear_caches()
    gc.collect()  # every measurement starts without garbage left by the one before
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def best(timings: list[Timing]) -> Timing:
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def ingest(data: bytes, source: Source) -> IngestRun:
    return run_ingest(source=source, document=data, fmt=Source.Kind.ARXIV_LISTING, label="bench")


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)


def run(*, stdout: TextIO, entries: int = 2000, repeat: int = 3, **options: Any) -> dict:
    """Print the three timings and their ratios; return them (the smoke test reads them).

    Runs with DEBUG off, as in production: with DEBUG on, Django formats and keeps every query
    it runs, a development-only cost that would be measured as ingest time.
    """
    with override_settings(DEBUG=False):
        return _run(stdout, entries=entries, repeat=repeat)


def _run(stdout: TextIO, *, entries: int, repeat: int) -> dict:
    data = atom_listing(entries)
    stdout.write(
        f"arXiv Atom listing: {entries} entries, {len(data) / 1e6:.1f} MB; "
        f"database: {connection.vendor} (each ingest in a transaction rolled back); "
        f"best of {repeat}; DEBUG off (no query log)\n"
    )
    # The four measurements take turns within each repetition, so a burst of load from other
    # processes slows one repetition of each rather than every repetition of one.
    runs: dict[str, list[Timing]] = {"bare": [], "parse": [], "full": [], "reingest": []}
    for _ in range(repeat):
        timing, parsed = timed(lambda: feedparser.parse(data))
        runs["bare"].append(timing)
        # Where the time goes: the parsers' own work (safety door, feedparser, cleaning, LaTeX).
        timing, _ = timed(lambda: parse_document(Source.Kind.ARXIV_LISTING, data))
        runs["parse"].append(timing)
        with rolled_back():
            source = Source.objects.create(
                name="bench-ingest", kind="arxiv-listing", url="https://rss.arxiv.org/atom/cs.LG"
            )
            timing, first = timed(lambda source=source: ingest(data, source))
            runs["full"].append(timing)
            timing, again = timed(lambda source=source: ingest(data, source))
            runs["reingest"].append(timing)
        del parsed
    bare, parse_only, full, reingest = (best(runs[key]) for key in runs)

    figures = {
        "entries": first.fetched,
        "bare_parse": bare.wall,
        "parse_document": parse_only.wall,
        "full_ingest": full.wall,
        "reingest": reingest.wall,
        "full_ratio": full.wall / bare.wall,
        "reingest_ratio": reingest.wall / bare.wall,
        "cpu": {
            "bare_parse": bare.cpu,
            "parse_document": parse_only.cpu,
            "full_ingest": full.cpu,
            "reingest": reingest.cpu,
            "full_ratio": full.cpu / bare.cpu,
            "reingest_ratio": reingest.cpu / bare.cpu,
        },
        "first_run": first,
        "second_run": again,
    }
    stdout.write(f"  {'':<32} {'wall':>10} {'ratio':>6}  {'CPU':>10} {'ratio':>6}\n")
    rows = [
        ("bare feedparser.parse", bare, None),
        ("parse_document (no database)", parse_only, None),
        (f"full ingest ({first.new} new)", full, FULL_TARGET),
        (f"re-ingest ({again.unchanged} unchanged)", reingest, REINGEST_TARGET),
    ]
    for label, timing, target in rows:
        ratio = timing / bare
        line = (
            f"  {label:<32} {timing.wall * 1000:8.1f}ms {ratio.wall:5.2f}x"
            f"  {timing.cpu * 1000:8.1f}ms {ratio.cpu:5.2f}x"
        )
        if target is not None:
            line += (
                f"  target <= {target}x: wall {_verdict(ratio.wall, target)}, "
                f"CPU {_verdict(ratio.cpu, target)}"
            )
        stdout.write(line + "\n")
    server = ", not the PostgreSQL server" if connection.vendor == "postgresql" else ""
    stdout.write(
        f"  (papers table left with {Paper.objects.count()} rows, as before; "
        f"CPU is this process only{server})\n"
    )
    return figures


def _verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "MISSED"
