"""bulk.insert stores exactly what bulk_create stores, sets primary keys, and splits statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from digest.ingest import bulk
from digest.ingest.merge import new_paper
from digest.models import Paper, PaperSighting
from tests.ingest.factories import hf_record, make_source

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 6, 5, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def paper(canonical_id: str) -> Paper:
    made = new_paper(
        hf_record(
            canonical_id=canonical_id,
            title="Ünïcode — $\\mathcal{B}$ & 'quotes' \"too\"",
            categories=["cs.LG", "cs.AI"],
            ai_keywords=["long context", "é"],
        )
    )
    made.first_seen_at = made.updated_at = AT
    return made


def stored(canonical_id: str) -> dict:
    values = Paper.objects.filter(canonical_id=canonical_id).values().get()
    del values["id"], values["canonical_id"]
    return values


def test_a_paper_inserted_in_bulk_reads_back_like_one_from_bulk_create() -> None:
    ours, django = paper("ours"), paper("django")
    bulk.insert(Paper, [ours])
    Paper.objects.bulk_create([django])

    assert ours.pk == Paper.objects.get(canonical_id="ours").pk
    assert stored("ours") == stored("django")
    assert stored("ours")["published_at"] == dt.datetime(2026, 2, 26, 17, 8, tzinfo=dt.UTC)
    assert stored("ours")["first_seen_at"] == AT
    assert stored("ours")["categories"] == ["cs.LG", "cs.AI"]


def test_many_rows_are_split_into_statements_and_every_object_gets_its_own_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "MAX_ROWS", 3)
    papers = [paper(f"2603.{n:05d}") for n in range(10)]
    bulk.insert(Paper, papers)

    by_id = dict(Paper.objects.values_list("canonical_id", "pk"))
    assert [p.pk for p in papers] == [by_id[p.canonical_id] for p in papers]
    assert len(set(by_id.values())) == 10

    source = make_source("arxiv-cs-lg")
    sightings = [
        PaperSighting(paper_id=p.pk, source_id=source.pk, first_seen_at=AT, last_seen_at=AT)
        for p in papers
    ]
    bulk.insert(PaperSighting, sightings)
    assert PaperSighting.objects.filter(source=source, last_seen_at=AT).count() == 10


def test_rows_per_statement_follow_the_real_parameter_limit() -> None:
    limit = bulk.max_params(connection)
    assert limit >= 999
    assert bulk.rows_per_statement(connection, 34) * 34 <= limit
    assert bulk.rows_per_statement(connection, 1) == bulk.MAX_ROWS
