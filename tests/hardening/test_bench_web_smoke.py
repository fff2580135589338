"""`bench web` at a tiny size: gunicorn and wrk really run, the one-click POSTs reach distinct
readers, and not one acknowledged unsubscribe is missing from the database. No timing asserted.

Needs the `wrk` binary (Debian package `wrk`); without it the benchmark fails saying so."""

from __future__ import annotations

import io

import pytest

from bench import web as bench
from subscriptions.models import Subscriber


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_web_benchmark_runs_without_errors_or_lost_unsubscribes():
    out = io.StringIO()

    results = bench.run(stdout=out, readers=300, seconds=1, connections=2)

    report = out.getvalue()
    assert set(results) == {"one-click", "home", "signup"}
    for name, figures in results.items():
        assert figures.requests > 0, name
        assert figures.errors == 0, report
    assert "lost unsubscribes: 0" in report
    assert not Subscriber.objects.filter(email__endswith="@bench.invalid").exists()  # cleaned up
