"""A reader's library seeds become "more like this" marks (subscriptions/seeds.py stores them).

`resolve` matches pending entries with papers we hold (arXiv id, DOI, then exact title,
ignoring case, spacing and punctuation) and turns each into Feedback(value=+1, origin
"library"); a paper the reader already marked keeps its mark. It returns the arXiv ids we do
not hold, for `fetch_papers`, which asks the arXiv API for them (id_list, through the polite
client: 3 s between requests to arXiv, shared across workers) and stores them like any
ingest. A paper fetched only as a seed is dated by its publication, so it never counts as
new in anyone's digest window. Both are safe to run twice (digest/tasks.py:import_library).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from digest.ingest.fetch import fetch
from digest.ingest.sources import arxiv_api
from digest.ingest.spacing import host_throttle
from digest.ingest.store import store_records
from digest.models import IngestRun, Paper
from subscriptions.library import Ref
from subscriptions.models import Feedback, LibraryEntry

API_URL = "https://export.arxiv.org/api/query"
IDS_PER_REQUEST = 100  # arXiv's id_list answers up to max_results; 100 keeps pages small
Status = LibraryEntry.Status


def title_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", title.casefold()).split())


def held_papers(refs: Sequence[Ref | LibraryEntry], *, titles: bool = True) -> list[Paper | None]:
    """The paper we hold for each ref (same order), or None. Titles (a scan per title: the
    import task's work, not a request's) compare words only, whatever the case or punctuation."""
    arxiv = {r.arxiv_id for r in refs if r.arxiv_id}
    dois = {r.doi for r in refs if r.doi}
    wanted = {r.title for r in refs if titles and r.title and not (r.arxiv_id or r.doi)}
    if not (arxiv or dois or wanted):
        return [None for _ in refs]
    query = Q(arxiv_id__in=arxiv) | Q(canonical_id__in=arxiv)
    query |= Q(doi__in=dois) | Q(canonical_id__in=[f"doi:{d}" for d in dois])
    for title in wanted:
        longest = max(title_key(title).split() or [""], key=len)
        if len(longest) >= 4:  # a superset, narrowed below by the whole title
            query |= Q(title__icontains=longest)
    by_arxiv, by_doi, by_title = {}, {}, {}
    for paper in Paper.objects.filter(query):
        by_arxiv[paper.arxiv_id or paper.canonical_id] = paper
        by_doi[paper.doi.lower()] = paper
        by_title[title_key(paper.title)] = paper
        by_title[title_key(paper.title_display)] = paper
    by_doi.pop("", None)
    by_title.pop("", None)
    return [
        by_arxiv.get(r.arxiv_id)
        or by_doi.get(r.doi)
        or (by_title.get(title_key(r.title)) if wanted and r.title else None)
        for r in refs
    ]


def resolve(*, subscriber_id: int, final: bool = False) -> list[str]:
    """Mark the papers we hold; return the arXiv ids still to fetch. `final`: what is still
    unknown is "not found" (after a fetch)."""
    with transaction.atomic():
        entries = list(
            LibraryEntry.objects.select_for_update().filter(
                subscriber_id=subscriber_id, status=Status.PENDING
            )
        )
        found = {e.pk: p for e, p in zip(entries, held_papers(entries), strict=True) if p}
        Feedback.objects.bulk_create(
            [
                Feedback(
                    subscriber_id=subscriber_id,
                    paper=paper,
                    value=Feedback.MORE,
                    origin=Feedback.Origin.LIBRARY,
                )
                for paper in {p.pk: p for p in found.values()}.values()
            ],
            ignore_conflicts=True,  # a paper already marked keeps the reader's own mark
        )
        LibraryEntry.objects.filter(pk__in=list(found)).delete()
        missing = [e for e in entries if e.pk not in found]
        to_fetch = [] if final else [e for e in missing if e.arxiv_id]
        LibraryEntry.objects.filter(pk__in=[e.pk for e in missing if e not in to_fetch]).update(
            status=Status.NOT_FOUND
        )
    return sorted({e.arxiv_id for e in to_fetch})


def fetch_papers(arxiv_ids: list[str]) -> int:
    """Fetch these papers from the arXiv API and store them; returns how many are new.

    Raises RateLimited / SourceError as ingest does (the task retries a rate limit)."""
    new = 0
    for start in range(0, len(arxiv_ids), IDS_PER_REQUEST):
        chunk = arxiv_ids[start : start + IDS_PER_REQUEST]
        answer = fetch(
            api_url_for(chunk),
            max_bytes=settings.FETCH_MAX_BYTES,
            timeout=settings.FETCH_TIMEOUT_SECONDS,
            user_agent=settings.USER_AGENT,
            throttle=host_throttle(),
            allowed_private_hosts=settings.FETCH_ALLOWED_PRIVATE_HOSTS,
        )
        result = arxiv_api.parse(answer.body)
        records = [r for r in result.records if r.canonical_id in set(chunk)]
        run = IngestRun.objects.create(label="library seeds (arXiv API)", fetched=len(records))
        now = timezone.now()
        counts = store_records(records=records, source=None, run=run, now=now)
        # Seeds are old papers: dated by publication, they are no edition's news.
        Paper.objects.filter(canonical_id__in=chunk, first_seen_at=now).exclude(
            published_at=None
        ).update(first_seen_at=F("published_at"))
        run.status, run.finished_at = IngestRun.Status.OK, timezone.now()
        run.new, run.updated, run.unchanged = counts.new, counts.updated, counts.unchanged
        run.failed, run.warnings = counts.failed, result.warnings[:50]
        run.save()
        new += counts.new
    return new


def api_url_for(chunk: list[str]) -> str:
    return f"{API_URL}?{urlencode({'id_list': ','.join(chunk), 'max_results': len(chunk)})}"


def import_library(*, subscriber_id: int) -> dict[str, int]:
    """The whole import: marks from papers we hold, a fetch for the rest, marks again."""
    to_fetch = resolve(subscriber_id=subscriber_id)
    fetched = fetch_papers(to_fetch) if to_fetch else 0
    resolve(subscriber_id=subscriber_id, final=True)
    marks = Feedback.objects.filter(subscriber_id=subscriber_id, origin=Feedback.Origin.LIBRARY)
    return {"asked": len(to_fetch), "fetched": fetched, "marks": marks.count()}
