"""run_ingest against a real HTTP server on loopback: conditional GET, pagination, failures."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.ingest import run_ingest
from digest.models import Paper, Source
from tests.ingest.conftest import ETAG, Recorder
from tests.ingest.factories import make_source

pytestmark = pytest.mark.django_db


def test_a_listing_that_has_not_changed_answers_304_and_counts_as_not_modified(
    server: str,
) -> None:
    source = make_source("arxiv-cs-lg", url=f"{server}/atom/cs.LG")

    first = run_ingest(source=source)
    source.refresh_from_db()
    second = run_ingest(source=source)

    assert (first.status, first.fetched, first.new) == ("ok", 12, 12)
    assert source.etag == ETAG
    assert (second.status, second.fetched, second.new, second.unchanged) == ("ok", 0, 0, 0)
    assert "not modified" in second.warnings[0]
    sent = [headers for path, headers in Recorder.requests]
    assert "If-None-Match" not in sent[0]
    assert sent[1]["If-None-Match"] == ETAG
    assert sent[0]["User-Agent"].startswith("Paperboy/")
    source.refresh_from_db()
    assert source.last_success_at is not None


def test_daily_papers_are_fetched_page_by_page_until_a_short_page(server: str) -> None:
    source = make_source(
        "hf",
        Source.Kind.HF_DAILY,
        url=f"{server}/api/daily_papers?date={{date}}&limit=50",
    )

    run = run_ingest(source=source, day=dt.date(2025, 3, 5))

    assert (run.status, run.fetched, run.new) == ("ok", 83, 83)
    paths = [path for path, _ in Recorder.requests]
    assert paths == [
        "/api/daily_papers?date=2025-03-05&limit=50&p=0",
        "/api/daily_papers?date=2025-03-05&limit=50&p=1",
    ]


def test_an_http_error_fails_the_run_and_keeps_the_stored_papers(server: str) -> None:
    good = make_source("arxiv-cs-lg", url=f"{server}/atom/cs.LG")
    run_ingest(source=good)
    broken = make_source("arxiv-typo", url=f"{server}/atom/cs.LGG")

    run = run_ingest(source=broken)

    assert run.status == "failed"
    assert "HTTP 404" in run.error
    assert Paper.objects.count() == 12
    broken.refresh_from_db()
    assert broken.last_run_at is not None and broken.last_success_at is None


def test_a_redirect_into_the_private_network_fails_the_run_unless_the_host_is_allowed(
    server: str, settings
) -> None:
    source = make_source("moved", url=f"{server}/moved-inside")

    refused = run_ingest(source=source)
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = ["localhost"]
    allowed = run_ingest(source=source)

    assert refused.status == "failed" and "private address" in refused.error
    assert (allowed.status, allowed.new) == ("ok", 12)
