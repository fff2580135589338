"""An ingest run killed mid-store stays `running`; beat closes it as failed and retries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digest.models import IngestRun, Source
from digest.tasks import close_stale_ingest_runs
from tests.ingest.factories import make_source

pytestmark = pytest.mark.django_db


def run_started(source: Source | None, minutes_ago: float) -> IngestRun:
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return IngestRun.objects.create(source=source, label="x", started_at=started)


def test_a_stale_run_is_closed_as_failed_and_its_source_ingested_again(
    settings, django_capture_on_commit_callbacks
):
    settings.INGEST_STALE_MINUTES = 90
    source = make_source("hf", Source.Kind.HF_DAILY)
    killed = run_started(source, minutes_ago=120)
    live = run_started(make_source("lg"), minutes_ago=5)
    paused = run_started(make_source("off", enabled=False), minutes_ago=120)

    with django_capture_on_commit_callbacks(execute=False) as retries:
        assert close_stale_ingest_runs() == 1

    killed.refresh_from_db()
    assert killed.status == "failed" and killed.error.startswith("interrupted")
    assert killed.finished_at is not None
    assert IngestRun.objects.get(pk=live.pk).status == "running"
    assert IngestRun.objects.get(pk=paused.pk).status == "failed"  # closed, not retried
    assert len(retries) == 1


def test_closing_twice_closes_and_retries_nothing_more(django_capture_on_commit_callbacks):
    run_started(make_source("hf", Source.Kind.HF_DAILY), minutes_ago=600)
    with django_capture_on_commit_callbacks(execute=False):
        close_stale_ingest_runs()

    with django_capture_on_commit_callbacks(execute=False) as retries:
        assert close_stale_ingest_runs() == 0
    assert retries == []
