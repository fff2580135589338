"""The public archive: the days we have papers for, and one day's papers.

One card per paper, in trending order (the score in digest/ingest/trending.py: upvotes and
stars, how fast they grow, and age), with the topics it matches as chips; `?topic=` filters
the day to one topic, and long days are paged. A day without papers, or a date that is not
one, gets a page that says so and links to the days that have papers (404, never Django's).
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from digest.editions import paper_doc, topic_doc
from digest.embeddings import encoder_or_none, text_vectors
from digest.matching import ReaderProfile, match_profiles
from digest.models import Paper
from subscriptions.models import Topic

ARCHIVE_DAYS = 60
PAPERS_PER_PAGE = 20
CHIPS_PER_PAPER = 3  # a card names the topics it fits best; the filter still finds every match


def recent_days(limit: int = ARCHIVE_DAYS) -> list[dict]:
    rows = (
        Paper.objects.exclude(trending_date=None)
        .values("trending_date")
        .annotate(papers=Count("pk"))
        .order_by("-trending_date")[:limit]
    )
    return [{"day": row["trending_date"], "papers": row["papers"]} for row in rows]


def archive_index(request: HttpRequest) -> HttpResponse:
    context = {"days": recent_days(), "nav": "archive"}
    return render(request, "digest/archive_index.html", context)


def topics_of(papers: list[Paper]) -> tuple[list[Topic], dict[str, list[Topic]]]:
    """The active topics that match at least one paper, and each paper's matching topics (best
    first), as a reader who chose only that topic would get them (the same matcher as digests)."""
    docs = [paper_doc(p, encoder_or_none()) for p in papers]
    topics = list(Topic.objects.filter(active=True))
    profiles = [ReaderProfile(topics=(topic_doc(t),)) for t in topics]
    results = match_profiles(docs, profiles, {}, len(papers), embed=text_vectors())
    scored: dict[str, list[tuple[float, int, Topic]]] = {}
    matched = []
    for position, (topic, matches) in enumerate(zip(topics, results, strict=True)):
        if matches:
            matched.append(topic)
        for match in matches:
            scored.setdefault(match.paper_id, []).append((-match.relevance, position, topic))
    per_paper = {paper_id: [t for *_, t in sorted(rows)] for paper_id, rows in scored.items()}
    return matched, per_paper


def _no_papers(request: HttpRequest, date: dt.date | None) -> HttpResponse:
    context = {"date": date, "days": recent_days(limit=7), "nav": "archive"}
    return render(request, "digest/archive_empty.html", context, status=404)


def archive_day(request: HttpRequest, day: str) -> HttpResponse:
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return _no_papers(request, None)
    papers = list(Paper.objects.filter(trending_date=date).trending())
    if not papers:
        return _no_papers(request, date)
    topics, per_paper = topics_of(papers)
    chosen = next((t for t in topics if t.slug == request.GET.get("topic")), None)
    shown = [p for p in papers if chosen is None or chosen in per_paper.get(p.canonical_id, [])]
    page = Paginator(shown, PAPERS_PER_PAGE).get_page(request.GET.get("page"))
    start = page.start_index()
    cards = [
        {
            "paper": p,
            "topics": per_paper.get(p.canonical_id, [])[:CHIPS_PER_PAPER],
            "rank": start + i,
        }
        for i, p in enumerate(page.object_list)
    ]
    context = {
        "date": date,
        "total": len(papers),
        "shown": len(shown),
        "topics": topics,
        "chosen": chosen,
        "cards": cards,
        "page": page,
        "nav": "archive",
    }
    return render(request, "digest/archive_day.html", context)
