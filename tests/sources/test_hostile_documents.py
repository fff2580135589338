"""Every hostile document ends in a clear SourceError or in cleaned, single-line text."""

from __future__ import annotations

import dataclasses

import pytest

from digest.ingest.cleaning import MAX_ABSTRACT, MAX_AUTHORS, MAX_TITLE
from digest.ingest.sources import parse_document
from digest.ingest.sources.records import SourceError
from tests.hostile_cases import DAMAGED_BUT_USABLE

PARSED = DAMAGED_BUT_USABLE
REFUSED = [
    ("hostile/entity_bomb.rss.xml", "arxiv-listing", "refused: XML entity declarations"),
    ("hostile/entity_bomb.rss.xml", "feed", "refused: XML entity declarations"),
    ("hostile/truncated_early.rss.xml", "arxiv-listing", "malformed"),
    ("hostile/feed_error.rss.xml", "arxiv-listing", "Feed error for query"),
    ("hostile/api_error.atom.xml", "arxiv-api", "incorrect id format"),
    ("hostile/rate_exceeded.txt", "arxiv-api", "Rate exceeded"),
    ("hostile/hf_not_json.html", "hf-daily", "not JSON"),
    ("hostile/hf_not_json.html", "feed", "not an RSS or Atom feed|malformed"),
]


def texts(record) -> list[str]:
    values = []
    for value in dataclasses.asdict(record).values():
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            values.extend(item for item in value if isinstance(item, str))
    return values


@pytest.mark.parametrize(("name", "fmt"), PARSED)
def test_parsed_hostile_documents_give_clean_single_line_text(fixture_bytes, name, fmt):
    result = parse_document(fmt, fixture_bytes(name))
    assert result.records
    for record in result.records:
        assert "\n" not in record.title and "\r" not in record.title
        assert "\n" not in record.title_display
        assert len(record.title) <= MAX_TITLE
        assert len(record.abstract) <= MAX_ABSTRACT
        assert len(record.authors) <= MAX_AUTHORS
        for text in texts(record):
            assert "<script" not in text.lower()
            assert "javascript:" not in text.lower()
            assert "onerror=" not in text.lower()


@pytest.mark.parametrize(("name", "fmt", "message"), REFUSED)
def test_unusable_hostile_documents_are_refused_clearly(fixture_bytes, name, fmt, message):
    with pytest.raises(SourceError, match=message):
        parse_document(fmt, fixture_bytes(name))


def test_a_truncated_listing_keeps_its_complete_entries_and_says_so(fixture_bytes):
    result = parse_document("arxiv-listing", fixture_bytes("hostile/truncated.atom.xml"))
    assert len(result.records) >= 7
    assert any("malformed feed" in warning for warning in result.warnings)


def test_undecodable_bytes_are_replaced_and_reported(fixture_bytes):
    result = parse_document("feed", fixture_bytes("hostile/utf8_declared_latin1_bytes.rss.xml"))
    assert result.records[0].title == "Caf\ufffd robots and na\ufffdve policies"
    assert any("not valid utf-8" in warning for warning in result.warnings)


def test_a_correctly_declared_latin1_feed_keeps_its_accents(fixture_bytes):
    result = parse_document("feed", fixture_bytes("hostile/iso_8859_1.rss.xml"))
    assert result.records[0].title == "Café robots and naïve policies"
    assert result.warnings == []


def test_tags_and_scripts_leave_only_their_text(fixture_bytes):
    result = parse_document("feed", fixture_bytes("hostile/script_tags.rss.xml"))
    titles = [record.title for record in result.records]
    assert titles == ["Robust grasping", "Image paper", "title"]
    assert result.records[0].abstract == "Hi"
    assert result.records[1].abstract == "click"
    assert result.skipped == 1  # the item whose only link is javascript:


def test_header_injection_titles_stay_on_one_line(fixture_bytes):
    result = parse_document("arxiv-listing", fixture_bytes("hostile/header_injection.rss.xml"))
    assert [record.title for record in result.records] == [
        "Great paper Bcc: victim@example.com",
        "Another paper Bcc: victim@example.com Subject: spam",
    ]


def test_absurdly_long_fields_are_capped_with_an_ellipsis(fixture_bytes):
    result = parse_document("arxiv-listing", fixture_bytes("hostile/long_fields.atom.xml"))
    record = result.records[0]
    assert record.title.endswith("…") and len(record.title) <= MAX_TITLE
    assert record.abstract.endswith("…") and len(record.abstract) <= MAX_ABSTRACT
    assert len(record.authors) == MAX_AUTHORS
    assert any("1000 authors" in warning for warning in result.warnings)
