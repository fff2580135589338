"""The Celery tasks: thin, take ids and ISO strings, safe to run twice."""

from __future__ import annotations

from typing import Any

import pytest

from digest import tasks
from digest.ingest.sources.records import RateLimited
from digest.models import IngestRun, Paper
from tests.conftest import FIXTURES
from tests.ingest.factories import make_source

pytestmark = pytest.mark.django_db


def test_ingest_all_sources_enqueues_each_enabled_source(monkeypatch: pytest.MonkeyPatch) -> None:
    enqueued: list[int] = []
    monkeypatch.setattr(tasks.ingest_source, "delay", enqueued.append)
    first, second = make_source("a"), make_source("b")
    make_source("paused", enabled=False)

    assert tasks.ingest_all_sources() == 2
    assert sorted(enqueued) == sorted([first.pk, second.pk])


def test_a_paused_or_deleted_source_is_skipped_without_a_run() -> None:
    paused = make_source("paused", enabled=False)
    assert tasks.ingest_source(paused.pk).startswith("skipped")
    assert tasks.ingest_source(999_999).startswith("skipped")
    assert not IngestRun.objects.exists()


def test_ingest_source_runs_the_source_and_refreshes_scores_after_commit(
    server: str, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    source = make_source("arxiv-cs-lg", url=f"{server}/atom/cs.LG")
    refreshed: list[bool] = []
    monkeypatch.setattr(tasks.recompute_trending, "delay", lambda: refreshed.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.ingest_source(source.pk) == "ok: 12 new, 0 updated"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.ingest_source(source.pk) == "ok: 0 new, 0 updated"

    assert refreshed == [True], "a second run answered 304 has nothing to re-rank"
    assert Paper.objects.count() == 12


def test_recompute_trending_takes_an_iso_moment() -> None:
    from digest.ingest import run_ingest

    run_ingest(path=FIXTURES / "hf_daily.json", fmt="hf-daily")
    assert tasks.recompute_trending("2025-03-05T12:00:00+00:00") == 83
    assert tasks.recompute_trending("2025-03-05T12:00:00+00:00") == 0
    top = Paper.objects.trending().first()
    assert top.why_trending.startswith("+")


def test_a_rate_limited_source_is_recorded_and_retried_later_for_the_same_day(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source("arxiv-cs-lg", url=f"{server}/limited")  # answers 429, Retry-After: 600
    asked: list[tuple[float, dict]] = []
    real_retry = tasks.ingest_source.retry

    def retry(*args: Any, **kwargs: Any) -> Any:
        asked.append((kwargs["countdown"], kwargs["kwargs"]))
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(tasks.ingest_source, "retry", retry)
    # apply() runs eagerly: Celery runs each retry at once instead of after its countdown.
    result = tasks.ingest_source.apply(args=[source.pk], kwargs={"day": "2026-03-06"})

    assert result.failed() and isinstance(result.result, RateLimited)
    assert asked == [(600.0, {"day": "2026-03-06"})] * (tasks.MAX_RETRIES + 1)
    runs = IngestRun.objects.filter(source=source)
    assert runs.count() == tasks.MAX_RETRIES + 1
    assert {run.status for run in runs} == {"failed"}
    assert all(run.error.startswith("rate limited: ") for run in runs)


def test_the_retry_wait_is_what_the_source_asked_within_bounds_well_under_the_visibility_timeout():
    countdown = tasks.rate_limit_countdown
    assert [countdown(None, retries=n) for n in range(4)] == [60, 120, 240, 480]
    assert countdown(600, retries=0) == 600
    assert countdown(1, retries=0) == tasks.MIN_RATE_LIMIT_WAIT
    assert countdown(86_400, retries=0) == tasks.MAX_RATE_LIMIT_WAIT
    assert countdown(None, retries=10) == tasks.MAX_RATE_LIMIT_WAIT
    assert tasks.MAX_RATE_LIMIT_WAIT <= 3600 / 4
