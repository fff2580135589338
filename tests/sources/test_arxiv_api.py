from __future__ import annotations

import datetime as dt

import pytest

from digest.ingest.sources import arxiv_api
from digest.ingest.sources.records import RateLimited, SourceError


@pytest.fixture
def result(fixture_bytes):
    return arxiv_api.parse(fixture_bytes("arxiv_api.atom.xml"))


def by_id(result, canonical_id):
    return next(record for record in result.records if record.canonical_id == canonical_id)


def test_it_reads_every_entry(result):
    assert [record.canonical_id for record in result.records] == [
        "2310.03173",
        "2501.12051",
        "2305.18290",
        "1910.10897",
        "2406.04806",
    ]
    assert result.warnings == []


def test_it_reads_versions_dates_doi_and_categories(result):
    record = by_id(result, "2305.18290")
    assert record.version == 3
    assert record.published_at == dt.datetime(2023, 5, 29, tzinfo=dt.UTC)
    assert record.updated_at == dt.datetime(2023, 7, 28, tzinfo=dt.UTC)
    assert record.doi == "10.48550/arxiv.2305.18290"
    assert record.primary_category == "cs.LG"
    assert record.categories == ["cs.LG"]
    assert record.pdf_url == "https://arxiv.org/pdf/2305.18290v3"
    assert record.authors[0] == "Rafael Rafailov"


def test_it_collapses_hard_wrapped_titles_and_abstracts(result):
    record = by_id(result, "2305.18290")
    assert (
        record.title
        == "Direct Preference Optimization: Your Language Model is Secretly a Reward Model"
    )
    assert "\n" not in record.abstract
    assert "  " not in record.abstract


def test_an_error_entry_is_an_error_with_its_reason(fixture_bytes):
    with pytest.raises(SourceError, match=r"incorrect id format for 1234\.12345"):
        arxiv_api.parse(fixture_bytes("hostile/api_error.atom.xml"))


def test_a_rate_exceeded_body_asks_the_fetcher_to_back_off(fixture_bytes):
    with pytest.raises(RateLimited):
        arxiv_api.parse(fixture_bytes("hostile/rate_exceeded.txt"))


def test_it_keeps_the_latest_version_of_a_repeated_id(fixture_bytes):
    result = arxiv_api.parse(fixture_bytes("hostile/duplicate_ids.atom.xml"))
    assert [record.canonical_id for record in result.records] == ["2305.18290", "2406.04806"]
    assert result.records[0].version == 3
    assert result.skipped == 2


def test_invalid_dates_become_empty_with_warnings(fixture_bytes):
    result = arxiv_api.parse(fixture_bytes("hostile/invalid_dates.atom.xml"))
    record = result.records[0]
    assert record.published_at is None
    assert record.updated_at is None
    assert len(result.warnings) == 2
