"""run_ingest over the recorded documents: one row per paper across sources, all-or-nothing runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digest.ingest import run_ingest
from digest.models import IngestRun, Paper, PaperSighting, Source
from tests.conftest import FIXTURES
from tests.hostile_cases import DAMAGED_BUT_USABLE
from tests.ingest.factories import make_source

pytestmark = pytest.mark.django_db


def ingest_file(name: str, fmt: str, source: Source | None = None) -> IngestRun:
    return run_ingest(source=source, path=FIXTURES / name, fmt=fmt)


def paper_table() -> list[dict]:
    return list(Paper.objects.order_by("canonical_id").values())


def test_hf_daily_papers_file_stores_every_seed_paper_with_its_signals() -> None:
    run = ingest_file("hf_daily.json", "hf-daily")

    assert (run.status, run.fetched, run.new, run.skipped, run.failed) == ("ok", 83, 83, 0, 0)
    assert Paper.objects.count() == 83
    top = Paper.objects.get(canonical_id="2406.04806")
    assert (top.upvotes, top.trending_date) == (100, dt.date(2025, 3, 5))
    assert top.url == "https://arxiv.org/abs/2406.04806"


def test_the_same_papers_from_hf_two_listings_and_the_api_stay_one_row_each() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    ro = make_source("arxiv-cs-ro")
    lg = make_source("arxiv-cs-lg")
    api = make_source("arxiv-api", Source.Kind.ARXIV_API)

    ingest_file("hf_daily.json", "hf-daily", hf)
    listing = ingest_file("arxiv_listing.rss.xml", "arxiv-listing", ro)
    again = ingest_file("arxiv_listing.atom.xml", "arxiv-listing", lg)
    enrich = ingest_file("arxiv_api.atom.xml", "arxiv-api", api)

    assert Paper.objects.count() == 83
    assert (listing.new, listing.updated) == (0, 12)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 12)
    assert (enrich.new, enrich.status) == (0, "ok")
    replaced = Paper.objects.get(canonical_id="2209.07753")
    assert replaced.version == 3
    assert "cs.RO" in replaced.categories
    assert replaced.upvotes == 72, "a listing without upvotes must not erase HF's"
    cross = Paper.objects.get(canonical_id="2304.02532")
    assert {"cs.LG", "cs.RO"} <= set(cross.categories)
    seen_by = set(
        PaperSighting.objects.filter(paper=replaced).values_list("source__name", flat=True)
    )
    assert seen_by == {"hf", "arxiv-cs-ro", "arxiv-cs-lg"}
    dpo = Paper.objects.get(canonical_id="2305.18290")
    assert dpo.version == 3 and dpo.doi == "10.48550/arxiv.2305.18290"


def test_an_empty_weekend_listing_is_an_ok_run_with_nothing_new() -> None:
    run = ingest_file("arxiv_empty.rss.xml", "arxiv-listing")
    assert (run.status, run.fetched, run.new, run.error) == ("ok", 0, 0, "")


def test_a_lab_blog_feed_gives_papers_without_arxiv_ids_stable_ids() -> None:
    first = ingest_file("lab_blog.rss.xml", "feed")
    second = ingest_file("lab_blog.rss.xml", "feed")
    assert first.status == "ok" and first.new >= 3
    assert (second.new, second.updated, second.unchanged) == (0, 0, first.new)
    ids = set(Paper.objects.values_list("canonical_id", flat=True))
    assert any(cid.startswith("doi:") for cid in ids)
    assert any(cid.startswith("url:") for cid in ids)


REFUSED = [
    ("hostile/entity_bomb.rss.xml", "arxiv-listing", "refused: XML entity declarations"),
    ("hostile/entity_bomb.rss.xml", "feed", "refused: XML entity declarations"),
    ("hostile/truncated_early.rss.xml", "arxiv-listing", "malformed"),
    ("hostile/feed_error.rss.xml", "arxiv-listing", "Feed error for query"),
    ("hostile/api_error.atom.xml", "arxiv-api", "incorrect id format"),
    ("hostile/rate_exceeded.txt", "arxiv-api", "Rate exceeded"),
    ("hostile/hf_not_json.html", "hf-daily", "not JSON"),
    ("hostile/hf_error_object.json", "hf-daily", "Invalid date format"),
    ("hostile/hf_latin1.json", "hf-daily", "not UTF-8"),
    ("hostile/hf_not_json.html", "feed", "not an RSS or Atom feed"),
]


@pytest.mark.parametrize(("name", "fmt", "message"), REFUSED)
def test_a_refused_document_fails_the_run_with_a_clear_error_and_loses_nothing(
    name: str, fmt: str, message: str
) -> None:
    ingest_file("hf_daily.json", "hf-daily")
    ingest_file("arxiv_api.atom.xml", "arxiv-api")
    before = paper_table()

    run = ingest_file(name, fmt)

    assert run.status == IngestRun.Status.FAILED
    assert message.lower() in run.error.lower()
    assert (run.new, run.updated) == (0, 0)
    assert run.finished_at is not None
    assert paper_table() == before


TOLERATED = DAMAGED_BUT_USABLE


@pytest.mark.parametrize(("name", "fmt"), TOLERATED)
def test_a_damaged_but_usable_document_stores_what_is_sound_and_keeps_existing_papers(
    name: str, fmt: str
) -> None:
    ingest_file("hf_daily.json", "hf-daily")
    before = {row["canonical_id"]: row for row in paper_table()}

    run = ingest_file(name, fmt)

    assert run.status == IngestRun.Status.OK, run.error
    assert run.warnings or run.skipped or run.new + run.updated + run.unchanged
    after = {row["canonical_id"]: row for row in paper_table()}
    assert set(before) <= set(after)
    for cid, row in before.items():
        assert after[cid]["upvotes"] is not None, "a signal may change, never vanish"
        assert len(after[cid]["abstract"]) >= len(row["abstract"])
        assert len(after[cid]["title"]) >= len(row["title"])
        assert "\n" not in after[cid]["title"]


def test_a_missing_file_fails_the_run_and_says_which(tmp_path: Path) -> None:
    run = run_ingest(path=tmp_path / "gone.json", fmt="hf-daily")
    assert run.status == "failed"
    assert "gone.json" in run.error


def test_a_database_error_while_storing_marks_the_run_failed_and_saves_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import DatabaseError

    from digest.ingest import store

    def broken_sightings(*args, **kwargs) -> None:
        raise DatabaseError("disk full")

    monkeypatch.setattr(store, "_record_sightings", broken_sightings)
    with pytest.raises(DatabaseError):
        run_ingest(source=make_source("hf", "hf-daily"), path=FIXTURES / "hf_daily.json")

    run = IngestRun.objects.get()
    assert (run.status, Paper.objects.count()) == ("failed", 0)
    assert "disk full" in run.error
