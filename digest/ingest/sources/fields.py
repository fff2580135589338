"""Field-level helpers every parser shares, so all sources clean text, dates and authors alike.

Each helper is total: a bad value becomes an empty/None field plus a warning, never an exception,
because one broken entry must not cost the rest of the document.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from digest.ingest.cleaning import (
    MAX_ABSTRACT,
    MAX_AUTHOR_NAME,
    MAX_AUTHORS,
    MAX_SHORT_TEXT,
    MAX_TITLE,
    clean_text,
    latex_to_unicode,
    truncate,
)
from digest.ingest.ids import normalise_url
from digest.ingest.sources.records import PaperRecord, ParseResult, SourceError

_AUTHOR_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)
_EARLIEST_YEAR, _LATEST_YEAR = 1990, 2100  # arXiv began in 1991; anything outside is garbage


Getter = Callable[..., Any]


def entry_getter(entry: dict[str, Any]) -> Getter:
    """`dict.get` bound to a feedparser entry, without FeedParserDict's key aliasing: faster,
    and "updated" stays absent instead of falling back to the published date."""
    return functools.partial(dict.get, entry)


def set_text(record: PaperRecord, *, title: object, abstract: object) -> None:
    """Title and abstract as cleaned LaTeX source, plus the Unicode title people read."""
    record.title = clean_text(title, max_length=MAX_TITLE)
    record.abstract = clean_text(abstract, max_length=MAX_ABSTRACT)
    record.title_display = truncate(latex_to_unicode(record.title), MAX_TITLE)


def short_text(value: object) -> str:
    return clean_text(value, max_length=MAX_SHORT_TEXT) if isinstance(value, str) else ""


def web_url(value: object) -> str:
    """A normalised http(s) URL, or "" (so `javascript:` and `data:` links never reach a page)."""
    return (normalise_url(value) or "") if isinstance(value, str) else ""


def parse_datetime(value: object, *, what: str, warnings: list[str]) -> dt.datetime | None:
    """ISO 8601 or RFC 822 date -> aware UTC datetime; naive times are taken as UTC."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None or not _EARLIEST_YEAR <= parsed.year <= _LATEST_YEAR:
        warnings.append(f"invalid {what} date {truncate(text, 60)!r}; left empty")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def count_or_none(value: object, *, what: str, warnings: list[str]) -> int | None:
    """A non-negative integer count (upvotes, stars), else None; bool is not a count."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    warnings.append(f"invalid {what} {truncate(repr(value), 60)}; left empty")
    return None


def split_author_string(value: str) -> list[str]:
    """arXiv's dc:creator is one string: "A, B, C" or "A, B and C" (or "A, B, and C")."""
    return [part for part in _AUTHOR_SEPARATORS.split(value) if part.strip()]


def clean_authors(names: Iterable[object], *, warnings: list[str]) -> list[str]:
    """Cleaned, non-empty names in order, capped at MAX_AUTHORS (with a warning)."""
    authors = [clean_text(name, max_length=MAX_AUTHOR_NAME) for name in names]
    authors = [name for name in authors if name]
    if len(authors) > MAX_AUTHORS:
        warnings.append(f"{len(authors)} authors; kept the first {MAX_AUTHORS}")
        authors = authors[:MAX_AUTHORS]
    return authors


def clean_list(values: object, *, limit: int) -> list[str]:
    """Cleaned, de-duplicated short strings (categories, keywords), order kept."""
    if not isinstance(values, list | tuple):
        return []
    seen: dict[str, None] = {}
    for value in values:
        text = short_text(value)
        if text:
            seen.setdefault(text, None)
    return list(seen)[:limit]


def keep_best(records: list[PaperRecord]) -> tuple[list[PaperRecord], int]:
    """One record per canonical id: the latest version, then the latest update, then the one
    with most fields filled. Keeps first-seen order; returns (records, how many were dropped)."""
    best: dict[str, PaperRecord] = {}
    for record in records:
        current = best.get(record.canonical_id)
        if current is None or _rank(record) > _rank(current):
            best[record.canonical_id] = record
    order = {record.canonical_id: None for record in records}
    return [best[key] for key in order], len(records) - len(best)


def _rank(record: PaperRecord) -> tuple[int, dt.datetime, int]:
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    filled = sum(1 for value in vars(record).values() if value not in (None, "", []))
    return record.version or 0, record.updated_at or record.published_at or oldest, filled


def collect(
    entries: Iterable[Any],
    build: Callable[[Any, list[str]], PaperRecord | None],
    *,
    warnings: list[str],
    malformed: bool = False,
) -> ParseResult:
    """Build a record per entry (None = skip; `build` says why in the warnings), then de-duplicate.

    A malformed document that yields no usable record is an error, not an empty listing: an empty
    result would read as "no new papers today" and hide the breakage.
    """
    result = ParseResult(warnings=list(warnings))
    records = []
    for position, entry in enumerate(entries):
        entry_warnings: list[str] = []
        record = build(entry, entry_warnings)
        label = record.canonical_id if record else f"entry {position}"
        result.warnings.extend(f"{label}: {warning}" for warning in entry_warnings)
        if record is None:
            result.skipped += 1
        else:
            records.append(record)
    if malformed and not records:
        raise SourceError("malformed document with no usable entries: " + "; ".join(warnings))
    result.records, duplicates = keep_best(records)
    if duplicates:
        result.skipped += duplicates
        result.warnings.append(f"{duplicates} duplicate id(s) in the document; kept the best")
    return result
