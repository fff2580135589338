"""One implausible entry costs only its bad value: a count no column holds, a date far ahead.

The rest of the document is stored, the run says which paper and why, and a wrongly dated paper
never takes the home page or ranks as the newest.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from digest.ingest import run_ingest
from digest.ingest.scores import recompute_trending
from digest.models import Paper
from tests.conftest import FIXTURES
from tests.delivery.factories import make_paper

pytestmark = pytest.mark.django_db

HF_ITEMS = json.loads((FIXTURES / "hf_daily.json").read_bytes())
NOW = dt.datetime(2025, 3, 5, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2025, 3, 5)


def daily_papers(**changes: object) -> tuple[bytes, str]:
    """The recorded Daily Papers answer with fields of its first paper changed."""
    items = copy.deepcopy(HF_ITEMS)
    items[0]["paper"].update(changes)
    return json.dumps(items).encode(), items[0]["paper"]["id"]


def test_an_out_of_range_count_is_left_empty_and_the_other_papers_are_stored() -> None:
    document, paper_id = daily_papers(upvotes=3_000_000_000, githubStars=10**20)

    run = run_ingest(document=document, fmt="hf-daily", now=NOW)

    assert (run.status, run.new) == ("ok", len(HF_ITEMS))
    stored = Paper.objects.get(canonical_id=paper_id)
    assert (stored.upvotes, stored.github_stars, stored.title) == (
        None,
        None,
        HF_ITEMS[0]["paper"]["title"],
    )
    assert any(w.startswith(f"{paper_id}: upvotes 3000000000 out of range") for w in run.warnings)
    assert any(w.startswith(f"{paper_id}: github_stars") for w in run.warnings)


def test_running_the_same_document_again_changes_nothing() -> None:
    document, _ = daily_papers(upvotes=3_000_000_000)
    run_ingest(document=document, fmt="hf-daily", now=NOW)

    again = run_ingest(document=document, fmt="hf-daily", now=NOW)

    assert (again.status, again.new, again.updated) == ("ok", 0, 0)


def test_a_date_more_than_a_day_ahead_is_refused_with_a_warning(client) -> None:
    document, paper_id = daily_papers(
        submittedOnDailyAt="2099-01-01T02:00:00.000Z", publishedAt="2099-01-01T00:00:00.000Z"
    )

    run = run_ingest(document=document, fmt="hf-daily", now=NOW)
    recompute_trending(now=NOW)

    assert (run.status, run.new) == ("ok", len(HF_ITEMS))
    stored = Paper.objects.get(canonical_id=paper_id)
    assert (stored.trending_date, stored.published_at) == (None, None)
    assert any(w.startswith(f"{paper_id}: trending_date 2099-01-01 is more") for w in run.warnings)
    home = client.get("/")
    assert home.context["day"] == DAY
    assert len(home.context["papers"]) == 10


def test_a_date_within_a_day_ahead_is_kept() -> None:
    tomorrow = (NOW + dt.timedelta(hours=20)).isoformat()
    document, paper_id = daily_papers(submittedOnDailyAt=tomorrow)

    run = run_ingest(document=document, fmt="hf-daily", now=NOW)

    assert Paper.objects.get(canonical_id=paper_id).trending_date == DAY + dt.timedelta(days=1)
    assert not any("ahead" in w for w in run.warnings)


def test_a_stored_future_date_neither_takes_the_home_page_nor_ranks_as_new(client) -> None:
    """Rows stored before ingest refused such dates: the page and the score ignore the date."""
    old = NOW - dt.timedelta(days=3)
    for n in range(3):
        make_paper(f"Real paper {n}", trending_date=DAY, upvotes=50, seen=old)
    make_paper(
        "From the future",
        trending_date=dt.date(2099, 1, 1),
        published_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        upvotes=50,
        seen=old,
    )

    recompute_trending(now=NOW)

    home = client.get("/")
    assert home.context["day"] == DAY
    assert [p.title for p in home.context["papers"]] == [f"Real paper {n}" for n in range(3)]
    future = Paper.objects.get(title="From the future")
    assert future.trending_score < Paper.objects.get(title="Real paper 0").trending_score
