"""Recompute the stored trending score and its explanation for every recent paper, in bulk."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from digest.ingest.merge import FUTURE_TOLERANCE
from digest.ingest.trending import TrendingInputs, trending_score, why_trending
from digest.models import Paper, SignalSnapshot

RECENT_DAYS = 14
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)


def recent_papers(now: dt.datetime) -> QuerySet[Paper]:
    cut = now - dt.timedelta(days=RECENT_DAYS)
    return Paper.objects.filter(
        Q(trending_date__gte=cut.date()) | Q(published_at__gte=cut) | Q(first_seen_at__gte=cut)
    )


def age_reference(paper: Paper, now: dt.datetime) -> dt.datetime:
    """The Daily Papers date if any, else publication, else when we first saw the paper.

    A date more than a day ahead (stored before ingest refused them) is ignored: it would keep
    the paper's age at zero, ranking it as the newest until that date.
    """
    latest = now + FUTURE_TOLERANCE
    if paper.trending_date is not None and paper.trending_date <= latest.date():
        return dt.datetime.combine(paper.trending_date, dt.time(), tzinfo=dt.UTC)
    if paper.published_at is not None and paper.published_at <= latest:
        return paper.published_at
    return min(paper.first_seen_at, now)


class SnapshotHistory:
    """Each paper's (taken_at, upvotes, stars) in time order, to answer "what was it at T?"."""

    def __init__(self, papers: QuerySet[Paper], now: dt.datetime) -> None:
        self.times: dict[int, list[dt.datetime]] = defaultdict(list)
        self.values: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
        rows = (
            SignalSnapshot.objects.filter(paper__in=papers.values("pk"), taken_at__lte=now)
            .order_by("paper_id", "taken_at")
            .values_list("paper_id", "taken_at", "upvotes", "github_stars")
        )
        for paper_id, taken_at, upvotes, stars in rows:
            self.times[paper_id].append(taken_at)
            self.values[paper_id].append((upvotes, stars))

    def at(self, paper_id: int, moment: dt.datetime) -> tuple[int | None, int | None] | None:
        """The signals of the latest snapshot taken at or before `moment`, or None."""
        index = bisect.bisect_right(self.times.get(paper_id, []), moment)
        return self.values[paper_id][index - 1] if index else None


def baseline(
    history: SnapshotHistory, paper: Paper, moment: dt.datetime
) -> tuple[int | None, int | None]:
    """Signals at `moment`: from a snapshot, or zero if the paper entered Daily Papers since."""
    found = history.at(paper.pk, moment)
    if found is not None:
        return found
    if paper.trending_date is not None and paper.trending_date >= moment.date():
        return (0, 0)
    return (None, None)


def inputs_for(paper: Paper, history: SnapshotHistory, now: dt.datetime) -> TrendingInputs:
    upvotes_day_ago, _ = baseline(history, paper, now - DAY)
    upvotes_week_ago, stars_week_ago = baseline(history, paper, now - WEEK)
    return TrendingInputs(
        age=now - age_reference(paper, now),
        upvotes=paper.upvotes,
        github_stars=paper.github_stars,
        num_comments=paper.num_comments,
        upvotes_day_ago=upvotes_day_ago,
        upvotes_week_ago=upvotes_week_ago,
        stars_week_ago=stars_week_ago,
        sources=max(paper.source_count, 1),
        categories=len(paper.categories),
    )


def recompute_trending(*, now: dt.datetime) -> int:
    """Score every recent paper; zero the scores of papers that left the window. Returns how many
    rows changed. Only papers whose score or explanation moved are written."""
    recent = recent_papers(now)
    papers = list(
        recent.annotate(source_count=Count("sightings")).only(
            "canonical_id",
            "upvotes",
            "github_stars",
            "num_comments",
            "categories",
            "trending_date",
            "published_at",
            "first_seen_at",
            "trending_score",
            "why_trending",
        )
    )
    history = SnapshotHistory(recent, now)
    changed = []
    for paper in papers:
        inputs = inputs_for(paper, history, now)
        score, why = trending_score(inputs), why_trending(inputs)[:300]
        if score != paper.trending_score or why != paper.why_trending:
            paper.trending_score, paper.why_trending, paper.score_updated_at = score, why, now
            changed.append(paper)
    with transaction.atomic():
        Paper.objects.bulk_update(
            changed, ["trending_score", "why_trending", "score_updated_at"], batch_size=500
        )
        stale = (
            Paper.objects.exclude(pk__in=recent.values("pk"))
            .filter(trending_score__gt=0)
            .update(trending_score=0.0, why_trending="", score_updated_at=now)
        )
    return len(changed) + stale
