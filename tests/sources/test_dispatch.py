from __future__ import annotations

import pytest

from digest.ingest.sources import FORMATS, parse_document


def test_it_knows_the_four_formats():
    assert sorted(FORMATS) == ["arxiv-api", "arxiv-listing", "feed", "hf-daily"]


def test_it_parses_with_the_named_format(fixture_bytes):
    result = parse_document("arxiv-listing", fixture_bytes("arxiv_empty.rss.xml"))
    assert result.records == []


def test_an_unknown_format_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown source format 'rss'"):
        parse_document("rss", b"")


def test_one_paper_from_hf_and_arxiv_gets_one_canonical_id(fixture_bytes):
    hf = parse_document("hf-daily", fixture_bytes("hf_daily.json"))
    listing = parse_document("arxiv-listing", fixture_bytes("arxiv_listing.rss.xml"))
    api = parse_document("arxiv-api", fixture_bytes("arxiv_api.atom.xml"))
    blog = parse_document("feed", fixture_bytes("lab_blog.rss.xml"))
    hf_ids = {record.canonical_id for record in hf.records}
    assert {record.canonical_id for record in listing.records} <= hf_ids
    assert {record.canonical_id for record in api.records} <= hf_ids
    assert "2406.04806" in {record.canonical_id for record in blog.records}
