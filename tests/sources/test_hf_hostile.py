from __future__ import annotations

import pytest

from digest.ingest.sources import hf_daily


@pytest.fixture
def result(fixture_bytes):
    return hf_daily.parse(fixture_bytes("hostile/hf_hostile.json"))


def by_id(result, canonical_id):
    return next(record for record in result.records if record.canonical_id == canonical_id)


def test_it_keeps_only_usable_papers_and_counts_the_rest(result):
    assert [record.canonical_id for record in result.records] == [
        "2406.04806",
        "2412.02261",
        "2204.12743",
        "2404.06356",
    ]
    # withdrawn, "not-an-id", missing id, empty title, duplicate, and two non-object items
    assert result.skipped == 7


def test_it_skips_withdrawn_papers_with_a_warning(result):
    assert "2310.03173: withdrawn; skipped" in result.warnings
    assert all(record.canonical_id != "2310.03173" for record in result.records)


def test_it_strips_script_tags_from_titles(result):
    record = by_id(result, "2406.04806")
    assert record.title == "Streaming Diffusion"


def test_a_newline_in_a_title_cannot_start_a_new_header(result):
    assert by_id(result, "2412.02261").title == "Subject line Bcc: victim@example.com"


def test_bad_counts_links_and_dates_become_empty_with_warnings(result):
    record = by_id(result, "2204.12743")
    assert record.upvotes is None
    assert record.github_stars is None
    assert record.github_repo == ""
    assert record.project_page == ""
    assert record.published_at is None
    assert record.trending_date is None
    assert len(record.authors) == 100
    assert any("invalid upvotes" in warning for warning in result.warnings)


def test_of_two_items_with_one_id_it_keeps_the_richer(result):
    assert by_id(result, "2404.06356").title == "Duplicate, richer"
