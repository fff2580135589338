"""The trending formula and its explanation, over plain values (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.ingest.trending import TrendingInputs, compact_number, trending_score, why_trending

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def test_a_fresh_paper_with_upvotes_scores_by_the_documented_formula() -> None:
    inputs = TrendingInputs(age=dt.timedelta(0), upvotes=48, upvotes_day_ago=0, upvotes_week_ago=0)
    # 1 + ln(49) + 1.5 ln(49) + 0.75 ln(49)
    assert trending_score(inputs) == pytest.approx(1 + 3.25 * 3.8918203, abs=1e-3)


def test_the_score_halves_every_two_days() -> None:
    young = TrendingInputs(age=dt.timedelta(0), upvotes=20, github_stars=300)
    old = TrendingInputs(age=2 * DAY, upvotes=20, github_stars=300)
    assert trending_score(old) == pytest.approx(trending_score(young) / 2, abs=1e-3)


def test_a_paper_climbing_today_beats_one_with_more_upvotes_that_stalled() -> None:
    climbing = TrendingInputs(age=DAY, upvotes=60, upvotes_day_ago=5, upvotes_week_ago=0)
    stalled = TrendingInputs(age=DAY, upvotes=90, upvotes_day_ago=90, upvotes_week_ago=0)
    assert trending_score(climbing) > trending_score(stalled)


def test_papers_without_community_signal_rank_by_recency_then_breadth() -> None:
    today_one_category = TrendingInputs(age=3 * HOUR, categories=1)
    today_three_categories = TrendingInputs(age=3 * HOUR, categories=3)
    last_week = TrendingInputs(age=6 * DAY, categories=5)
    assert trending_score(today_three_categories) > trending_score(today_one_category)
    assert trending_score(today_one_category) > trending_score(last_week)
    assert trending_score(last_week) > 0


def test_any_community_signal_outranks_no_signal_at_the_same_age() -> None:
    listed_everywhere = TrendingInputs(age=HOUR, categories=5, sources=1)
    one_upvote_few_stars = TrendingInputs(age=HOUR, upvotes=2, github_stars=3, categories=1)
    assert trending_score(one_upvote_few_stars) > trending_score(listed_everywhere)


def test_being_seen_in_several_sources_adds_a_bonus() -> None:
    once = TrendingInputs(age=HOUR, upvotes=10, sources=1)
    thrice = TrendingInputs(age=HOUR, upvotes=10, sources=3)
    assert trending_score(thrice) == pytest.approx(
        trending_score(once) + 1.0 * 0.5 ** (1 / 48), abs=1e-3
    )


def test_why_names_todays_upvotes_stars_and_sources() -> None:
    inputs = TrendingInputs(
        age=HOUR, upvotes=120, upvotes_day_ago=72, github_stars=1234, num_comments=1, sources=3
    )
    assert why_trending(inputs) == "+48 upvotes today, 1.2k stars, 1 comment, seen in 3 sources"


def test_why_falls_back_to_the_weeks_gain_then_the_total() -> None:
    week = TrendingInputs(age=3 * DAY, upvotes=30, upvotes_day_ago=30, upvotes_week_ago=0)
    total = TrendingInputs(age=3 * DAY, upvotes=30)
    assert why_trending(week) == "+30 upvotes this week"
    assert why_trending(total) == "30 upvotes"


def test_why_for_a_paper_without_signal_says_how_new_and_how_broad() -> None:
    assert why_trending(TrendingInputs(age=5 * HOUR, categories=3)) == "new today, in 3 categories"
    assert why_trending(TrendingInputs(age=3 * DAY, categories=1)) == "new this week"


@pytest.mark.parametrize(
    ("value", "text"),
    [(7, "7"), (999, "999"), (1000, "1k"), (1234, "1.2k"), (15_400, "15k"), (2_500_000, "2.5M")],
)
def test_counts_are_written_compactly(value: int, text: str) -> None:
    assert compact_number(value) == text


def test_negative_age_from_clock_skew_counts_as_brand_new() -> None:
    skewed = TrendingInputs(age=-HOUR, upvotes=5)
    assert trending_score(skewed) == trending_score(TrendingInputs(age=dt.timedelta(0), upvotes=5))
