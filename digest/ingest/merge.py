"""How one source's view of a paper is folded into the stored row (no database access here).

Rules, field by field:
- title / abstract: the richer text wins (the longer non-empty one; a tie keeps what is stored).
  `title_display` travels with the title it renders.
- authors: the longer list wins (HF and arXiv API list everyone; some feeds only the first).
- categories: union, stored order first, new ones appended.
- version: the highest seen; published_at: the earliest seen; trending_date: the latest seen.
- upvotes, comments, stars: the latest value from a source that reports them (None = "this source
  does not say", never an overwrite).
- HF extras (GitHub repo, project page, AI summary and keywords, thumbnail, submitter,
  organisation): the latest non-empty value.
- identifiers and links (arXiv id, DOI, URL, PDF, primary category): the first non-empty value is
  kept, so a feed cannot re-point a paper.
"""

from __future__ import annotations

import datetime as dt

from digest.ingest.sources.records import PaperRecord
from digest.models import Paper

KEEP_FIRST = ("arxiv_id", "doi", "url", "pdf_url", "primary_category")
LATEST_TEXT = (
    "github_repo",
    "project_page",
    "thumbnail",
    "ai_summary",
    "submitter",
    "organization",
)
SIGNALS = ("upvotes", "num_comments", "github_stars")

# Column widths of the Paper table, so a long value is cut here rather than refused by PostgreSQL.
MAX_LENGTHS = {
    field.name: field.max_length
    for field in Paper._meta.get_fields()
    if getattr(field, "max_length", None) and field.name != "canonical_id"
}


# PositiveIntegerField is a 4-byte integer on PostgreSQL: a larger count raises a DataError
# that would cost every other paper of the document.
MAX_COUNT = 2_147_483_647
# A source's clock may run a little ahead (time zones, a paper dated tomorrow in Asia); beyond
# this a date is wrong, and would rank the paper as the newest for ever.
FUTURE_TOLERANCE = dt.timedelta(days=1)


def clamp_record(record: PaperRecord, *, now: dt.datetime, warnings: list[str]) -> PaperRecord:
    """Fit the record to its columns and to the clock, so one bad entry costs only its bad value.

    Strings are cut to their column widths and negative counts dropped (silently: parsers have
    warned). A count beyond any column (3,000,000,000 upvotes) and a date more than a day ahead
    are left empty with a warning naming the paper: no real paper has them, and keeping either
    (or clamping the count to the maximum) would put this one paper first.
    """
    for name, width in MAX_LENGTHS.items():
        value = getattr(record, name, None)
        if isinstance(value, str) and len(value) > width:
            setattr(record, name, value[:width])
    for name in (*SIGNALS, "version"):
        value = getattr(record, name)
        if value is not None and value < 0:
            setattr(record, name, None)
        elif value is not None and value > MAX_COUNT:
            warnings.append(f"{record.canonical_id}: {name} {value} out of range; left empty")
            setattr(record, name, None)
    latest = now + FUTURE_TOLERANCE
    for name in ("published_at", "updated_at", "trending_date"):
        value = getattr(record, name)
        if value is None:
            continue
        ahead = value > (latest if isinstance(value, dt.datetime) else latest.date())
        if ahead:
            warnings.append(
                f"{record.canonical_id}: {name} {value.isoformat()} is more than a day ahead; "
                "left empty"
            )
            setattr(record, name, None)
    return record


def new_paper(record: PaperRecord) -> Paper:
    """An unsaved Paper holding exactly what the record says."""
    return Paper(
        canonical_id=record.canonical_id,
        arxiv_id=record.arxiv_id,
        version=record.version,
        doi=record.doi,
        title=record.title,
        title_display=record.title_display,
        abstract=record.abstract,
        authors=list(record.authors),
        categories=list(dict.fromkeys(record.categories)),
        primary_category=record.primary_category,
        url=record.url,
        pdf_url=record.pdf_url,
        github_repo=record.github_repo,
        github_stars=record.github_stars,
        project_page=record.project_page,
        thumbnail=record.thumbnail,
        upvotes=record.upvotes,
        num_comments=record.num_comments,
        ai_summary=record.ai_summary,
        ai_keywords=list(record.ai_keywords),
        submitter=record.submitter,
        organization=record.organization,
        published_at=record.published_at,
        trending_date=record.trending_date,
    )


def merge_into(paper: Paper, record: PaperRecord) -> set[str]:
    """Fold `record` into `paper` in place; return the names of the fields that changed."""
    changed: set[str] = set()

    def put(name: str, value: object) -> None:
        if getattr(paper, name) != value:
            setattr(paper, name, value)
            changed.add(name)

    if record.title and len(record.title) > len(paper.title):
        put("title", record.title)
        put("title_display", record.title_display)
    if len(record.abstract) > len(paper.abstract):
        put("abstract", record.abstract)
    if changed & {"title", "title_display", "abstract"}:
        paper.embedding = paper.sentence_embeddings = None  # embedded again from the new text
        changed |= {"embedding", "sentence_embeddings"}
    if len(record.authors) > len(paper.authors):
        put("authors", list(record.authors))
    extra = [c for c in record.categories if c not in paper.categories]
    if extra:
        put("categories", [*paper.categories, *dict.fromkeys(extra)])
    if record.version is not None and (paper.version is None or record.version > paper.version):
        put("version", record.version)
    if record.published_at is not None and (
        paper.published_at is None or record.published_at < paper.published_at
    ):
        put("published_at", record.published_at)
    if record.trending_date is not None and (
        paper.trending_date is None or record.trending_date > paper.trending_date
    ):
        put("trending_date", record.trending_date)
    for name in SIGNALS:
        value = getattr(record, name)
        if value is not None:
            put(name, value)
    for name in LATEST_TEXT:
        value = getattr(record, name)
        if value:
            put(name, value)
    if record.ai_keywords:
        put("ai_keywords", list(record.ai_keywords))
    for name in KEEP_FIRST:
        value = getattr(record, name)
        if value and not getattr(paper, name):
            put(name, value)
    return changed


def signals_of(paper: Paper) -> tuple[int | None, int | None, int | None]:
    return (paper.upvotes, paper.github_stars, paper.num_comments)
