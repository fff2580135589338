"""`manage.py ingest` and `manage.py load_demo`, as an operator runs them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from digest.models import IngestRun, Paper, PaperSighting, Source
from tests.conftest import FIXTURES
from tests.ingest.factories import make_source

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def ingest(*args: str, stdout: io.StringIO | None = None) -> str:
    out = stdout or io.StringIO()
    call_command("ingest", *args, stdout=out)
    return out.getvalue()


def test_a_recorded_file_is_ingested_and_the_counts_printed() -> None:
    output = ingest("--file", str(FIXTURES / "hf_daily.json"), "--format", "hf-daily")

    assert "ok: fetched 83, new 83, updated 0, unchanged 0, skipped 0, failed 0" in output
    assert "[#" not in output, "no progress bar when output is not a terminal"
    assert Paper.objects.count() == 83
    assert Paper.objects.filter(trending_score__gt=0).count() == 83


def test_a_terminal_gets_a_progress_bar() -> None:
    output = ingest(
        "--file",
        str(FIXTURES / "arxiv_empty.rss.xml"),
        "--format",
        "arxiv-listing",
        stdout=Terminal(),
    )
    assert "[##############################] 1/1" in output
    assert "fetched 0, new 0" in output


def test_a_file_can_be_recorded_as_seen_by_a_source() -> None:
    make_source("arxiv-cs-lg")
    path = str(FIXTURES / "arxiv_listing.rss.xml")
    ingest("--file", path, "--format", "arxiv-listing", "--source", "arxiv-cs-lg")
    assert PaperSighting.objects.filter(source__name="arxiv-cs-lg").count() == 12


def test_a_refused_document_prints_the_error_and_exits_non_zero() -> None:
    out = io.StringIO()
    path = str(FIXTURES / "hostile" / "entity_bomb.rss.xml")
    with pytest.raises(CommandError, match=r"1 of 1 run.s. failed: .*entity declarations"):
        ingest("--file", path, "--format", "arxiv-listing", stdout=out)
    assert "failed: fetched 0" in out.getvalue()
    assert IngestRun.objects.get().status == "failed"


def test_a_file_without_its_format_or_an_unknown_source_is_a_usage_error() -> None:
    with pytest.raises(CommandError, match="--file needs --format"):
        ingest("--file", str(FIXTURES / "hf_daily.json"))
    with pytest.raises(CommandError, match="no source named nope"):
        ingest("--source", "nope")
    with pytest.raises(CommandError, match="no such file"):
        ingest("--file", "/nonexistent.json", "--format", "hf-daily")


def test_without_sources_it_says_how_to_add_some() -> None:
    make_source("paused", enabled=False)
    assert "no enabled sources" in ingest()


def test_default_sources_are_created_once_and_point_at_the_real_services(settings) -> None:
    settings.INGEST_ARXIV_CATEGORIES = "cs.LG+cs.RO"
    from digest.ingest.defaults import ensure_default_sources

    assert [s.name for s in ensure_default_sources()] == ["hf-daily-papers", "arxiv-cslg-csro"]
    assert ensure_default_sources() == []
    urls = dict(Source.objects.values_list("name", "url"))
    assert urls["arxiv-cslg-csro"] == "https://rss.arxiv.org/atom/cs.LG+cs.RO"
    assert "{date}" in urls["hf-daily-papers"]


def test_load_demo_twice_stores_the_papers_once_dated_today() -> None:
    first, second = io.StringIO(), io.StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)

    assert "83 new" in first.getvalue()
    assert "0 new, 0 updated, 83 unchanged" in second.getvalue()
    assert Paper.objects.count() == 83
    assert not Source.objects.get(name="demo-hf-daily").enabled
    top = Paper.objects.trending().first()
    assert top.trending_date == timezone.now().date(), "the recording is presented as today's"
    assert re.fullmatch(r"\+\d+ upvotes today, .*", top.why_trending)
