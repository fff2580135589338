"""arXiv daily listings from rss.arxiv.org, RSS 2.0 or Atom (the same fields either way).

Weekends and holidays give a well-formed feed with no entries: that is "no new papers", not an
error. A bad category gives a feed titled "Feed error for query ...", which is an error.
The listing does not say which category is primary, so `primary_category` stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import feedparser

from digest.ingest.cleaning import MAX_SHORT_TEXT, clean_text
from digest.ingest.ids import arxiv_id_and_version, normalise_doi
from digest.ingest.sources.fields import (
    Getter,
    clean_authors,
    clean_list,
    collect,
    entry_getter,
    parse_datetime,
    set_text,
    short_text,
    split_author_string,
)
from digest.ingest.sources.records import PaperRecord, ParseResult, SourceError
from digest.ingest.sources.xmlsafety import parse_feed

ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
_PREFIX = re.compile(
    r"^\s*arXiv:\S+\s+Announce\s+Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?",
    re.IGNORECASE,
)
# The listings before 2024 ended titles with "(arXiv:2401.01234v1 [cs.LG] UPDATED)".
_OLD_TITLE_SUFFIX = re.compile(r"\s*\(arXiv:[^()]*\)\s*$")
_MAX_CATEGORIES = 20


def parse(data: bytes) -> ParseResult:
    """Parse one listing; entries whose guid/link name no arXiv id are skipped with a warning."""
    feed = parse_feed(data)
    title = clean_text(feed.parsed.feed.get("title", ""), max_length=MAX_SHORT_TEXT)
    if "feed error for query" in title.lower():
        raise SourceError(f"arXiv listing error: {title}")
    return collect(feed.parsed.entries, _record, warnings=feed.warnings, malformed=feed.malformed)


def _record(entry: feedparser.FeedParserDict, warnings: list[str]) -> PaperRecord | None:
    # dict.get throughout: FeedParserDict.get runs feedparser's key aliasing on every call (and
    # maps "updated" to the published date), none of which applies to the keys read here.
    get = entry_getter(entry)
    found = _find_id(get)
    if found is None:
        warnings.append("no arXiv id in guid or link; skipped")
        return None
    arxiv_id, version = found
    summary = get("summary", "")
    prefix = _PREFIX.match(summary)
    record = PaperRecord(canonical_id=arxiv_id, title="", arxiv_id=arxiv_id, version=version)
    title = get("title", "")
    set_text(
        record,
        title=_OLD_TITLE_SUFFIX.sub("", title) if "(arXiv:" in title else title,
        abstract=summary[prefix.end() :] if prefix else summary,
    )
    if not record.title:
        warnings.append("no title; skipped")
        return None
    record.url = f"https://arxiv.org/abs/{arxiv_id}"
    record.pdf_url = f"https://arxiv.org/pdf/{arxiv_id}"
    record.announce_type = _announce_type(get, prefix, warnings)
    record.authors = clean_authors(_author_names(get), warnings=warnings)
    record.categories = clean_list(
        [dict.get(tag, "term") for tag in get("tags", ())], limit=_MAX_CATEGORIES
    )
    record.published_at = parse_datetime(get("published"), what="published", warnings=warnings)
    record.updated_at = parse_datetime(get("updated"), what="updated", warnings=warnings)
    record.doi = normalise_doi(get("arxiv_doi", "")) or ""
    return record


def _find_id(get: Getter) -> tuple[str, int | None] | None:
    """The guid carries the version (oai:arXiv.org:2401.01234v2); the link usually does not."""
    for candidate in _id_candidates(get):
        found = arxiv_id_and_version(candidate) if candidate else None
        if found:
            return found
    return None


def _id_candidates(get: Getter) -> Iterator[str]:
    yield get("id", "")
    yield get("link", "")
    for link in get("links", ()):
        yield dict.get(link, "href", "")


def _announce_type(get: Getter, prefix: re.Match[str] | None, warnings: list[str]) -> str:
    value = short_text(get("arxiv_announce_type", "")).lower()
    if not value and prefix:
        value = prefix["type"].lower()
    if value and value not in ANNOUNCE_TYPES:
        warnings.append(f"unknown announce type {value[:40]!r}; left empty")
        return ""
    return value


def _author_names(get: Getter) -> list[str]:
    """dc:creator arrives as one comma-separated string; split it after removing any markup."""
    names: list[str] = []
    for author in get("authors", None) or [{"name": get("author", "")}]:
        names += split_author_string(clean_text(dict.get(author, "name", ""), max_length=100_000))
    return names
