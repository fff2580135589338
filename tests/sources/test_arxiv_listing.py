from __future__ import annotations

import datetime as dt

import pytest

from digest.ingest.sources import arxiv_listing
from digest.ingest.sources.records import SourceError


@pytest.fixture(params=["arxiv_listing.rss.xml", "arxiv_listing.atom.xml"])
def result(request, fixture_bytes):
    return arxiv_listing.parse(fixture_bytes(request.param))


def by_id(result, canonical_id):
    return next(record for record in result.records if record.canonical_id == canonical_id)


def test_it_reads_every_entry_of_rss_and_atom_listings(result):
    assert len(result.records) == 12
    assert result.skipped == 0
    assert result.warnings == []


def test_it_counts_each_announce_type(result):
    types = [record.announce_type for record in result.records]
    assert types.count("new") == 6
    assert types.count("cross") == 3
    assert types.count("replace") == 2
    assert types.count("replace-cross") == 1


def test_it_strips_the_announce_prefix_from_the_abstract(result):
    record = by_id(result, "2406.04806")
    assert record.abstract.startswith("Diffusion models have seen rapid adoption")
    assert "Announce Type" not in record.abstract


def test_it_splits_the_creator_string_into_authors(result):
    assert by_id(result, "2406.04806").authors == ["Sigmund H. Høeg", "Yilun Du", "Olav Egeland"]


def test_it_reads_version_from_the_guid_and_categories_from_tags(result):
    record = by_id(result, "2209.07753")
    assert record.version == 3
    assert record.announce_type == "replace-cross"
    assert record.categories == ["cs.RO", "cs.LG"]
    assert record.url == "https://arxiv.org/abs/2209.07753"


def test_it_renders_latex_in_listing_titles(result):
    assert by_id(result, "2310.03173").title_display.startswith("𝓑-Coder")


def test_it_reads_the_announcement_date_as_utc(result):
    assert by_id(result, "2406.04806").published_at == dt.datetime(2025, 3, 5, 5, tzinfo=dt.UTC)


def test_a_weekend_listing_is_empty_not_an_error(fixture_bytes):
    result = arxiv_listing.parse(fixture_bytes("arxiv_empty.rss.xml"))
    assert result.records == []
    assert result.skipped == 0


def test_a_bad_category_is_an_error(fixture_bytes):
    with pytest.raises(SourceError, match=r"Feed error for query: cs\.NOPE"):
        arxiv_listing.parse(fixture_bytes("hostile/feed_error.rss.xml"))


def test_it_splits_creators_joined_with_and():
    rss = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>cs.LG</title>
<item><title>T</title><link>https://arxiv.org/abs/2401.01234</link>
<guid>oai:arXiv.org:2401.01234v1</guid><description>arXiv:2401.01234v1 Announce Type: new
Abstract: A.</description><dc:creator>Ann Lee, Bo Chen and Cy Diaz</dc:creator></item>
</channel></rss>"""
    record = arxiv_listing.parse(rss).records[0]
    assert record.authors == ["Ann Lee", "Bo Chen", "Cy Diaz"]
    assert record.announce_type == "new"
    assert record.abstract == "A."
