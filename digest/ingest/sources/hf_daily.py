"""Hugging Face Daily Papers (`/api/daily_papers`): a JSON array, one item per paper.

Authors marked `hidden: true` are kept: the flag hides the link to a Hugging Face account, not the
name, which is public on arXiv anyway.
"""

from __future__ import annotations

import json
from typing import Any

from digest.ingest.cleaning import MAX_ABSTRACT, MAX_KEYWORDS, clean_text
from digest.ingest.ids import arxiv_id_and_version
from digest.ingest.sources.fields import (
    clean_authors,
    clean_list,
    count_or_none,
    keep_best,
    parse_datetime,
    set_text,
    short_text,
    web_url,
)
from digest.ingest.sources.records import PaperRecord, ParseResult, SourceError


def parse(data: bytes) -> ParseResult:
    """Parse one Daily Papers answer; withdrawn papers and items without an arXiv id are skipped."""
    items = _load_array(data)
    result = ParseResult()
    records = []
    for position, item in enumerate(items):
        paper = item.get("paper") if isinstance(item, dict) else None
        if not isinstance(paper, dict):
            result.skipped += 1
            result.warnings.append(f"item {position}: no paper object; skipped")
            continue
        found = arxiv_id_and_version(paper.get("id")) if isinstance(paper.get("id"), str) else None
        if found is None:
            result.skipped += 1
            result.warnings.append(f"item {position}: no valid arXiv id; skipped")
            continue
        if paper.get("withdrawnAt"):
            result.skipped += 1
            result.warnings.append(f"{found[0]}: withdrawn; skipped")
            continue
        warnings: list[str] = []
        record = _record(item, paper, found, warnings)
        result.warnings.extend(f"{record.canonical_id}: {warning}" for warning in warnings)
        if not record.title:
            result.skipped += 1
            result.warnings.append(f"{record.canonical_id}: no title; skipped")
            continue
        records.append(record)
    result.records, duplicates = keep_best(records)
    if duplicates:
        result.skipped += duplicates
        result.warnings.append(f"{duplicates} duplicate id(s) in the document; kept one of each")
    return result


def _load_array(data: bytes) -> list[Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(
            f"Daily Papers answer is not UTF-8: {error.reason} at byte {error.start}"
        ) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"Daily Papers answer is not JSON: {error.msg} at line {error.lineno}"
        ) from error
    if isinstance(document, dict) and "error" in document:
        message = clean_text(document["error"], max_length=200)
        raise SourceError(f"Daily Papers answered an error: {message}")
    if not isinstance(document, list):
        raise SourceError(f"Daily Papers answer is a JSON {type(document).__name__}, not an array")
    return document


def _record(
    item: dict[str, Any], paper: dict[str, Any], found: tuple[str, int | None], warnings: list[str]
) -> PaperRecord:
    arxiv_id, version = found
    record = PaperRecord(canonical_id=arxiv_id, title="", arxiv_id=arxiv_id, version=version)
    set_text(
        record,
        title=paper.get("title") or item.get("title"),
        abstract=paper.get("summary") or item.get("summary"),
    )
    record.url = f"https://arxiv.org/abs/{arxiv_id}"
    record.pdf_url = f"https://arxiv.org/pdf/{arxiv_id}"
    authors = paper.get("authors") if isinstance(paper.get("authors"), list) else []
    record.authors = clean_authors(
        (author.get("name") for author in authors if isinstance(author, dict)), warnings=warnings
    )
    published = paper.get("publishedAt") or item.get("publishedAt")
    record.published_at = parse_datetime(published, what="publishedAt", warnings=warnings)
    daily = parse_datetime(
        paper.get("submittedOnDailyAt"), what="submittedOnDailyAt", warnings=warnings
    )
    record.trending_date = daily.date() if daily else None
    record.upvotes = count_or_none(paper.get("upvotes"), what="upvotes", warnings=warnings)
    record.num_comments = count_or_none(
        item.get("numComments"), what="numComments", warnings=warnings
    )
    record.github_repo = web_url(paper.get("githubRepo"))
    record.github_stars = count_or_none(
        paper.get("githubStars"), what="githubStars", warnings=warnings
    )
    record.project_page = web_url(paper.get("projectPage"))
    record.ai_summary = clean_text(paper.get("ai_summary") or "", max_length=MAX_ABSTRACT)
    record.ai_keywords = clean_list(paper.get("ai_keywords"), limit=MAX_KEYWORDS)
    record.thumbnail = web_url(item.get("thumbnail"))
    record.submitter = _display_name(item.get("submittedBy"))
    record.organization = _display_name(item.get("organization") or paper.get("organization"))
    return record


def _display_name(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    return short_text(value.get("fullname")) or short_text(value.get("name"))
