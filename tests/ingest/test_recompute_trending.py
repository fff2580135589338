"""recompute_trending over stored papers and snapshots, with time pinned."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.ingest.scores import recompute_trending
from digest.ingest.store import store_records
from digest.models import IngestRun, Paper, Source
from tests.ingest.factories import arxiv_record, hf_record, make_source

pytestmark = pytest.mark.django_db

MARCH_6_NOON = dt.datetime(2026, 3, 6, 12, 0, tzinfo=dt.UTC)


def ingest(records, source, at: dt.datetime) -> None:
    run = IngestRun.objects.create(source=source, label=source.name)
    store_records(records=records, source=source, run=run, now=at)


def test_upvotes_gained_since_yesterdays_snapshot_are_todays_gain() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    ingest(
        [hf_record(upvotes=72, trending_date=dt.date(2026, 3, 4))],
        hf,
        MARCH_6_NOON - dt.timedelta(days=1, hours=2),
    )
    ingest(
        [hf_record(upvotes=120, trending_date=dt.date(2026, 3, 4), github_stars=1234)],
        hf,
        MARCH_6_NOON,
    )

    recompute_trending(now=MARCH_6_NOON)

    paper = Paper.objects.get()
    assert paper.why_trending == "+48 upvotes today, 1.2k stars, 1 comment"
    assert paper.trending_score > 0
    assert paper.score_updated_at == MARCH_6_NOON


def test_a_paper_new_on_daily_papers_today_counts_all_its_upvotes_as_today() -> None:
    ingest(
        [
            hf_record(
                upvotes=31, github_stars=None, num_comments=None, trending_date=dt.date(2026, 3, 6)
            )
        ],
        make_source("hf", Source.Kind.HF_DAILY),
        MARCH_6_NOON,
    )
    recompute_trending(now=MARCH_6_NOON)
    assert Paper.objects.get().why_trending == "+31 upvotes today"


def test_a_paper_seen_by_three_sources_says_so_and_outranks_one_seen_once() -> None:
    hf = make_source("hf", Source.Kind.HF_DAILY)
    cv, lg = make_source("arxiv-cs-cv"), make_source("arxiv-cs-lg")
    twin = dict(upvotes=10, num_comments=None, github_stars=None, trending_date=dt.date(2026, 3, 6))
    ingest([hf_record("2603.00001", **twin), hf_record("2603.00002", **twin)], hf, MARCH_6_NOON)
    ingest([arxiv_record("2603.00001")], cv, MARCH_6_NOON)
    ingest([arxiv_record("2603.00001")], lg, MARCH_6_NOON)

    recompute_trending(now=MARCH_6_NOON)

    first, second = Paper.objects.trending()
    assert first.canonical_id == "2603.00001"
    assert first.why_trending == "+10 upvotes today, seen in 3 sources"
    assert second.why_trending == "+10 upvotes today"


def test_arxiv_only_papers_rank_newest_first() -> None:
    listing = make_source("arxiv-cs-ro")
    ingest(
        [
            arxiv_record("2603.00001", published_at=MARCH_6_NOON - dt.timedelta(days=3)),
            arxiv_record("2603.00002", published_at=MARCH_6_NOON - dt.timedelta(hours=8)),
        ],
        listing,
        MARCH_6_NOON,
    )
    recompute_trending(now=MARCH_6_NOON)
    assert [p.canonical_id for p in Paper.objects.trending()] == ["2603.00002", "2603.00001"]
    assert Paper.objects.get(canonical_id="2603.00002").why_trending == "new today"


def test_papers_that_left_the_window_lose_their_score() -> None:
    ingest(
        [hf_record(trending_date=dt.date(2026, 3, 6))],
        make_source("hf", Source.Kind.HF_DAILY),
        MARCH_6_NOON,
    )
    recompute_trending(now=MARCH_6_NOON)
    assert Paper.objects.get().trending_score > 0

    recompute_trending(now=MARCH_6_NOON + dt.timedelta(days=30))

    paper = Paper.objects.get()
    assert (paper.trending_score, paper.why_trending) == (0.0, "")


def test_recomputing_twice_at_the_same_moment_changes_nothing_the_second_time() -> None:
    ingest([hf_record()], make_source("hf", Source.Kind.HF_DAILY), MARCH_6_NOON)
    assert recompute_trending(now=MARCH_6_NOON) == 1
    assert recompute_trending(now=MARCH_6_NOON) == 0
