"""Plain records that every source parser returns; storage merges them into Paper rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class PaperRecord:
    """One paper as one source saw it, already normalised (see digest.ingest.cleaning).

    `canonical_id` is the arXiv id without version where there is one, else `doi:<doi>`, else
    `url:<normalised url>` (see digest.ingest.ids). Text fields are plain text: whitespace
    collapsed, HTML stripped, lengths capped. `title`/`abstract` keep LaTeX source;
    `title_display` is the
    Unicode rendering for people.
    """

    canonical_id: str
    title: str
    abstract: str = ""
    title_display: str = ""
    arxiv_id: str = ""
    version: int | None = None
    doi: str = ""
    url: str = ""
    pdf_url: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str = ""
    published_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    trending_date: dt.date | None = None
    announce_type: str = ""  # arXiv listings: new | cross | replace | replace-cross
    # Community signals (None = this source does not say).
    upvotes: int | None = None
    num_comments: int | None = None
    github_repo: str = ""
    github_stars: int | None = None
    project_page: str = ""
    ai_summary: str = ""
    ai_keywords: list[str] = field(default_factory=list)
    thumbnail: str = ""
    submitter: str = ""
    organization: str = ""


@dataclass
class ParseResult:
    """What a parser made of one document: the records, and what it skipped or refused and why."""

    records: list[PaperRecord] = field(default_factory=list)
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)


class SourceError(Exception):
    """A document or fetch that cannot be used at all; the message is shown on the ingest run."""


class RateLimited(SourceError):
    """The source asked us to slow down (HTTP 429, arXiv's "Rate exceeded."): retry later.

    `retry_after` is the wait in seconds the source asked for, when it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
