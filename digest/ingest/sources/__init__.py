"""Source parsers: bytes in, ParseResult out, no network and no database.

Each format is a `parse(data: bytes) -> ParseResult` that raises SourceError for a document that
cannot be used at all. Ingestion picks the parser by a source's configured format name.
"""

from __future__ import annotations

from collections.abc import Callable

from digest.ingest.sources import arxiv_api, arxiv_listing, feed, hf_daily
from digest.ingest.sources.records import PaperRecord, ParseResult, RateLimited, SourceError

Parser = Callable[[bytes], ParseResult]

FORMATS: dict[str, Parser] = {
    "hf-daily": hf_daily.parse,
    "arxiv-listing": arxiv_listing.parse,
    "arxiv-api": arxiv_api.parse,
    "feed": feed.parse,
}

__all__ = ["FORMATS", "PaperRecord", "ParseResult", "RateLimited", "SourceError", "parse_document"]


def parse_document(fmt: str, data: bytes) -> ParseResult:
    """Parse `data` as format `fmt`; an unknown format is a configuration error (ValueError)."""
    try:
        parser = FORMATS[fmt]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown source format {fmt!r}; known formats: {known}") from None
    return parser(data)
