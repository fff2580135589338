"""store_records: one row per paper, fields merged, sightings and snapshots, no needless writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digest.ingest.sources.records import PaperRecord
from digest.ingest.store import store_records
from digest.models import IngestRun, Paper, PaperSighting, SignalSnapshot, Source
from tests.ingest.factories import arxiv_record, hf_record, make_source

pytestmark = pytest.mark.django_db

MARCH_6 = dt.datetime(2026, 3, 6, 5, 0, tzinfo=dt.UTC)


def store(records: list[PaperRecord], source: Source | None, now: dt.datetime = MARCH_6):
    run = IngestRun.objects.create(source=source, label=source.name if source else "file")
    return store_records(records=records, source=source, run=run, now=now)


def test_the_same_paper_from_hf_two_categories_and_a_replacement_is_one_merged_row() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    cv = make_source("arxiv-cs-cv")
    lg = make_source("arxiv-cs-lg")

    store([hf_record()], hf)
    store([arxiv_record(categories=["cs.CV", "cs.AI"])], cv, MARCH_6 + dt.timedelta(hours=1))
    store([arxiv_record(categories=["cs.LG", "cs.CV"], announce_type="cross")], lg)
    counts = store(
        [arxiv_record(version=2, announce_type="replace", published_at=MARCH_6)],
        cv,
        MARCH_6 + dt.timedelta(days=1),
    )

    paper = Paper.objects.get()
    assert counts.updated == 1 and counts.new == 0
    assert paper.canonical_id == "2602.23229"
    assert paper.version == 2
    assert paper.categories == ["cs.CV", "cs.AI", "cs.LG"]
    assert paper.abstract.startswith(
        "Which multimodal model should we use for classification? Prev"
    )
    assert paper.authors == ["Marco Garosi", "Riccardo Conti", "Elisa Ricci"]
    assert paper.published_at == dt.datetime(2026, 2, 26, 17, 8, tzinfo=dt.UTC)
    assert paper.trending_date == dt.date(2026, 3, 6)
    assert (paper.upvotes, paper.github_stars, paper.num_comments) == (10, 9, 1)
    assert paper.github_repo == "https://github.com/marco-garosi/CIRCLE"
    assert paper.primary_category == "cs.CV"


def test_each_source_that_saw_a_paper_has_one_sighting_with_first_and_last_seen() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    cv = make_source("arxiv-cs-cv")
    store([hf_record()], hf)
    store([arxiv_record()], cv, MARCH_6 + dt.timedelta(hours=2))
    store([arxiv_record(version=2)], cv, MARCH_6 + dt.timedelta(days=2))

    sightings = {s.source.name: s for s in PaperSighting.objects.select_related("source")}
    assert set(sightings) == {"hf", "arxiv-cs-cv"}
    assert sightings["arxiv-cs-cv"].first_seen_at == MARCH_6 + dt.timedelta(hours=2)
    assert sightings["arxiv-cs-cv"].last_seen_at == MARCH_6 + dt.timedelta(days=2)
    assert sightings["hf"].first_seen_at == sightings["hf"].last_seen_at == MARCH_6


def test_a_file_ingest_without_a_source_records_no_sighting() -> None:
    counts = store([hf_record()], None)
    assert counts.new == 1
    assert not PaperSighting.objects.exists()


def test_storing_the_same_records_again_writes_no_paper_row() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    records = [hf_record(f"2603.{n:05d}") for n in range(30)]
    store(records, hf)

    with CaptureQueriesContext(connection) as queries:
        counts = store([hf_record(f"2603.{n:05d}") for n in range(30)], hf)

    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 30)
    paper_writes = [
        q["sql"]
        for q in queries
        if '"digest_paper"' in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert paper_writes == []
    assert SignalSnapshot.objects.count() == 30


def test_only_the_papers_that_changed_are_counted_and_written() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    store([hf_record("2603.00001"), hf_record("2603.00002")], hf)
    counts = store([hf_record("2603.00001"), hf_record("2603.00002", upvotes=48)], hf)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 1)
    assert Paper.objects.get(canonical_id="2603.00002").upvotes == 48
    assert Paper.objects.get(canonical_id="2603.00001").upvotes == 10


def test_a_paper_whose_text_grows_is_embedded_again_and_others_keep_their_vectors() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    store([hf_record("2603.00001"), hf_record("2603.00002")], hf)
    Paper.objects.update(embedding=b"v", sentence_embeddings=b"s", embedding_model="m")
    longer = hf_record("2603.00002").abstract + " We also release the code and the data."
    store([hf_record("2603.00001", upvotes=11), hf_record("2603.00002", abstract=longer)], hf)
    grown = Paper.objects.get(canonical_id="2603.00002")
    assert grown.embedding is None and grown.sentence_embeddings is None  # embed_papers: stale
    kept = Paper.objects.get(canonical_id="2603.00001")
    assert bytes(kept.embedding) == b"v" and bytes(kept.sentence_embeddings) == b"s"


def test_signals_are_snapshotted_when_they_change_and_not_otherwise() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    store([hf_record(upvotes=10)], hf, MARCH_6)
    store([hf_record(upvotes=10)], hf, MARCH_6 + dt.timedelta(hours=6))
    store([hf_record(upvotes=58)], hf, MARCH_6 + dt.timedelta(days=1))

    assert list(SignalSnapshot.objects.order_by("taken_at").values_list("taken_at", "upvotes")) == [
        (MARCH_6, 10),
        (MARCH_6 + dt.timedelta(days=1), 58),
    ]


def test_a_source_without_community_signals_never_erases_them() -> None:
    store([hf_record(upvotes=120, github_stars=1500)], make_source("hf", Source.Kind.HF_DAILY))
    store([arxiv_record()], make_source("arxiv-cs-cv"))
    paper = Paper.objects.get()
    assert (paper.upvotes, paper.github_stars) == (120, 1500)
    assert SignalSnapshot.objects.count() == 1


def test_a_longer_title_wins_and_brings_its_rendering() -> None:
    source = make_source("hf", Source.Kind.HF_DAILY)
    store([hf_record(title="MedS^3", title_display="MedS³")], source)
    store(
        [arxiv_record(title="MedS^3: Medical reasoning", title_display="MedS³: Medical reasoning")],
        source,
    )
    paper = Paper.objects.get()
    assert (paper.title, paper.display_title) == (
        "MedS^3: Medical reasoning",
        "MedS³: Medical reasoning",
    )


def test_one_document_naming_a_paper_twice_makes_one_row() -> None:
    counts = store(
        [arxiv_record(categories=["cs.CV"]), arxiv_record(version=3, categories=["cs.RO"])],
        make_source("arxiv-cs"),
    )
    paper = Paper.objects.get()
    assert counts.new == 1
    assert (paper.version, paper.categories) == (3, ["cs.CV", "cs.RO"])
    assert PaperSighting.objects.count() == 1


def test_records_without_an_id_or_a_title_are_counted_failed_and_the_rest_stored() -> None:
    counts = store(
        [
            hf_record("2603.00001"),
            hf_record("", canonical_id=""),
            hf_record("2603.00003", title=""),
        ],
        None,
    )
    assert (counts.new, counts.failed) == (1, 2)
    assert list(Paper.objects.values_list("canonical_id", flat=True)) == ["2603.00001"]


def test_values_wider_than_their_column_are_cut_not_refused() -> None:
    store([hf_record(title="T" * 900, submitter="s" * 400, upvotes=-3)], None)
    paper = Paper.objects.get()
    assert (len(paper.title), len(paper.submitter), paper.upvotes) == (500, 200, None)
