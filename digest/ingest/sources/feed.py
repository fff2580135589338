"""Any other RSS/Atom feed: lab blogs, bioRxiv/medRxiv, journal tables of contents.

Identity, strongest first: an arXiv id named by any link, the entry id or a DOI (so a blog post
about an arXiv paper merges with it); else a DOI from dc:identifier, prism:doi or a doi.org link;
else the normalised entry link. Authors: each author element is one person; a single author
string holding ";" is split on it (bioRxiv style), but never on "," which separates
"Last, First" within one name in many feeds.
"""

from __future__ import annotations

import feedparser

from digest.ingest.ids import arxiv_id_and_version, canonical_id, normalise_doi, normalise_url
from digest.ingest.sources.fields import (
    clean_authors,
    clean_list,
    collect,
    parse_datetime,
    set_text,
)
from digest.ingest.sources.records import PaperRecord, ParseResult
from digest.ingest.sources.xmlsafety import parse_feed

_MAX_CATEGORIES = 20


def parse(data: bytes) -> ParseResult:
    """Parse one feed; entries without a title or any usable link/id are skipped with a warning."""
    feed = parse_feed(data)
    return collect(feed.parsed.entries, _record, warnings=feed.warnings, malformed=feed.malformed)


def _record(entry: feedparser.FeedParserDict, warnings: list[str]) -> PaperRecord | None:
    record = PaperRecord(canonical_id="", title="")
    content = entry.get("content") or [{}]
    abstract = entry.get("summary") or content[0].get("value", "")
    set_text(record, title=entry.get("title", ""), abstract=abstract)
    if not record.title:
        warnings.append("no title; skipped")
        return None
    links = _links(entry)
    doi = _doi(entry, links)
    arxiv = _arxiv(links, doi)
    url = next(filter(None, (normalise_url(link) for link in links)), "")
    if not (arxiv or doi or url):
        warnings.append("no arXiv id, DOI or http(s) link; skipped")
        return None
    record.canonical_id = canonical_id(arxiv=arxiv[0] if arxiv else None, doi=doi, url=url)
    record.doi = doi
    record.url = url
    if arxiv:
        record.arxiv_id, record.version = arxiv
        record.url = f"https://arxiv.org/abs/{record.arxiv_id}"
        record.pdf_url = f"https://arxiv.org/pdf/{record.arxiv_id}"
    record.authors = clean_authors(_author_names(entry), warnings=warnings)
    record.categories = clean_list(
        [tag.get("term") for tag in entry.get("tags", [])], limit=_MAX_CATEGORIES
    )
    record.published_at = parse_datetime(
        entry.get("published"), what="published", warnings=warnings
    )
    # dict.get: FeedParserDict.get("updated") silently falls back to the published date.
    updated = dict.get(entry, "updated")
    record.updated_at = parse_datetime(updated, what="updated", warnings=warnings)
    return record


def _links(entry: feedparser.FeedParserDict) -> list[str]:
    """The entry link first, then other links, then an id that is a URL (RSS permalink guids)."""
    links = [entry.get("link", "")]
    links += [link.get("href", "") for link in entry.get("links", [])]
    links.append(entry.get("id", ""))
    return [link for link in dict.fromkeys(links) if isinstance(link, str) and link]


def _doi(entry: feedparser.FeedParserDict, links: list[str]) -> str:
    candidates = [entry.get("prism_doi", ""), entry.get("dc_identifier", "")]
    candidates += [link for link in links if "doi.org/" in link.lower()]
    for candidate in candidates:
        found = normalise_doi(candidate) if isinstance(candidate, str) else None
        if found:
            return found
    return ""


def _arxiv(links: list[str], doi: str) -> tuple[str, int | None] | None:
    for candidate in [*links, doi]:
        found = arxiv_id_and_version(candidate) if candidate else None
        if found:
            return found
    return None


def _author_names(entry: feedparser.FeedParserDict) -> list[str]:
    names = [author.get("name", "") for author in entry.get("authors", [])]
    names = [name for name in names if isinstance(name, str)]
    if len(names) == 1 and ";" in names[0]:
        return names[0].split(";")
    return names
