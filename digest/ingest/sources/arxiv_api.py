"""arXiv query API answers (export.arxiv.org/api/query), Atom 1.0 with arxiv: extensions.

Two failure shapes are answers, not documents: throttling sends a plain-text `Rate exceeded.`
(raised as RateLimited so the fetcher backs off instead of recording a broken feed), and a
malformed query sends HTTP 200 with a single entry titled `Error` whose summary says why.
"""

from __future__ import annotations

import feedparser

from digest.ingest.cleaning import clean_text
from digest.ingest.ids import arxiv_id_and_version, normalise_doi
from digest.ingest.sources.fields import (
    clean_authors,
    clean_list,
    collect,
    parse_datetime,
    set_text,
    short_text,
    web_url,
)
from digest.ingest.sources.records import PaperRecord, ParseResult, RateLimited, SourceError
from digest.ingest.sources.xmlsafety import parse_feed

_MAX_CATEGORIES = 20

__all__ = ["RateLimited", "parse"]  # RateLimited lives in records so the fetcher can raise it too


def parse(data: bytes) -> ParseResult:
    """Parse one API page; an empty result set is an empty ParseResult."""
    if data.strip()[:64].lower().startswith(b"rate exceeded"):
        raise RateLimited("arXiv API: Rate exceeded.")
    feed = parse_feed(data)
    entries = feed.parsed.entries
    if len(entries) == 1 and short_text(entries[0].get("title", "")).lower() == "error":
        reason = clean_text(entries[0].get("summary", ""), max_length=300) or "no reason given"
        raise SourceError(f"arXiv API error: {reason}")
    return collect(entries, _record, warnings=feed.warnings, malformed=feed.malformed)


def _record(entry: feedparser.FeedParserDict, warnings: list[str]) -> PaperRecord | None:
    found = arxiv_id_and_version(entry.get("id", "")) or arxiv_id_and_version(entry.get("link", ""))
    if found is None:
        warnings.append("no arXiv id in the entry id; skipped")
        return None
    arxiv_id, version = found
    record = PaperRecord(canonical_id=arxiv_id, title="", arxiv_id=arxiv_id, version=version)
    set_text(record, title=entry.get("title", ""), abstract=entry.get("summary", ""))
    if not record.title:
        warnings.append("no title; skipped")
        return None
    record.url = f"https://arxiv.org/abs/{arxiv_id}"
    record.pdf_url = _pdf_link(entry) or f"https://arxiv.org/pdf/{arxiv_id}"
    record.authors = clean_authors(
        (author.get("name", "") for author in entry.get("authors", [])), warnings=warnings
    )
    record.categories = clean_list(
        [tag.get("term") for tag in entry.get("tags", [])], limit=_MAX_CATEGORIES
    )
    primary = entry.get("arxiv_primary_category")
    record.primary_category = short_text(primary.get("term")) if isinstance(primary, dict) else ""
    record.published_at = parse_datetime(
        entry.get("published"), what="published", warnings=warnings
    )
    # dict.get: FeedParserDict.get("updated") silently falls back to the published date.
    updated = dict.get(entry, "updated")
    record.updated_at = parse_datetime(updated, what="updated", warnings=warnings)
    record.doi = normalise_doi(entry.get("arxiv_doi", "")) or ""
    return record


def _pdf_link(entry: feedparser.FeedParserDict) -> str:
    for link in entry.get("links", []):
        if link.get("title") == "pdf":
            return web_url(link.get("href"))
    return ""
