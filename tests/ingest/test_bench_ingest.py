"""`manage.py bench ingest` at a small size: it runs, reports, leaves no trace (no timing)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from bench.ingest import run
from digest.models import IngestRun, Paper, Source

pytestmark = pytest.mark.django_db


def test_the_benchmark_ingests_then_reingests_and_rolls_everything_back() -> None:
    out = io.StringIO()
    figures = run(stdout=out, entries=40, repeat=1)

    assert figures["entries"] == 40
    assert (figures["first_run"].new, figures["first_run"].status) == (40, "ok")
    assert (figures["second_run"].unchanged, figures["second_run"].new) == (40, 0)
    assert figures["full_ratio"] > 0 and figures["reingest_ratio"] > 0
    assert not Paper.objects.exists() and not Source.objects.exists()
    assert not IngestRun.objects.exists()


def test_the_bench_command_prints_the_three_figures_and_their_ratios() -> None:
    out = io.StringIO()
    call_command("bench", "ingest", "--entries", "20", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "bare feedparser.parse" in text
    assert "full ingest (20 new)" in text and "target <= 3.0x" in text
    assert "re-ingest (20 unchanged)" in text and "target <= 3.0x" in text
