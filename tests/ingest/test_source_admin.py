"""The operator's admin: sources can be paused, enabled and run now; runs are listed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from digest.models import IngestRun, Source
from tests.ingest.factories import make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("op", "op@example.org", "pw"))
    return client


def act(client: Client, action: str, *sources: Source):
    return client.post(
        "/admin/digest/source/",
        {"action": action, "_selected_action": [s.pk for s in sources]},
        follow=True,
    )


def test_pause_and_enable_flip_the_sources(operator: Client) -> None:
    source = make_source("arxiv-cs-lg")
    act(operator, "pause", source)
    source.refresh_from_db()
    assert not source.enabled
    act(operator, "enable", source)
    source.refresh_from_db()
    assert source.enabled


def test_ingest_runs_are_listed_with_their_counts_and_error(operator: Client) -> None:
    IngestRun.objects.create(
        label="arxiv-typo", status="failed", error="arXiv listing error: Feed error for query"
    )
    page = operator.get("/admin/digest/ingestrun/").content.decode()
    assert "arxiv-typo" in page and "Feed error for query" in page
