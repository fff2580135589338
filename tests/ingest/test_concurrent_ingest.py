"""Two ingests of one document at the same moment, on PostgreSQL: one row per paper, no errors."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from digest.ingest.store import StoreCounts, store_records
from digest.models import IngestRun, Paper, PaperSighting, Source
from tests.ingest.factories import hf_record, make_source

PAPERS = 400


def ingest_in_threads(source: Source, copies: int) -> list[StoreCounts | BaseException]:
    start = threading.Barrier(copies)
    results: list[StoreCounts | BaseException] = [None] * copies  # type: ignore[list-item]

    def ingest(slot: int) -> None:
        try:
            run = IngestRun.objects.create(source=source, label=source.name)
            records = [hf_record(f"2603.{n:05d}", upvotes=n) for n in range(PAPERS)]
            start.wait()
            results[slot] = store_records(records=records, source=source, run=run)
        except BaseException as error:  # noqa: BLE001 - handed back to the test to assert on
            results[slot] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest, args=(slot,)) for slot in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_ingests_of_one_source_leave_one_row_per_paper() -> None:
    source = make_source("hf", Source.Kind.HF_DAILY)

    first, second = ingest_in_threads(source, copies=2)

    assert isinstance(first, StoreCounts) and isinstance(second, StoreCounts), (first, second)
    assert sorted([first.new, second.new]) == [0, PAPERS]
    assert sorted([first.unchanged, second.unchanged]) == [0, PAPERS]
    assert Paper.objects.count() == PAPERS
    assert PaperSighting.objects.count() == PAPERS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_overlapping_ingests_never_fail_or_duplicate() -> None:
    source = make_source("hf", Source.Kind.HF_DAILY)

    results = ingest_in_threads(source, copies=4)

    assert all(isinstance(r, StoreCounts) for r in results), results
    assert sum(r.new for r in results) == PAPERS
    assert Paper.objects.count() == PAPERS
