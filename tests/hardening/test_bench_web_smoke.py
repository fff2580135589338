"""`bench web` at a tiny size: gunicorn and wrk really run, the one-click POSTs reach distinct
readers, and not one acknowledged unsubscribe is missing from the database. No timing asserted.

Needs the `wrk` binary (Debian package `wrk`); without it the benchmark fails saying so."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

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


@pytest.mark.django_db
def test_a_benchmark_on_an_unmigrated_database_says_to_migrate_first(tmp_path):
    from django.core.management.base import CommandError
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from bench.management.commands import bench as command

    assert command.unapplied_migrations() == []  # the test database is migrated
    settings = {**connection.settings_dict, "NAME": str(tmp_path / "new.sqlite3")}
    empty = DatabaseWrapper({**settings, "ENGINE": "django.db.backends.sqlite3"})
    try:
        with pytest.MonkeyPatch.context() as patch:  # the command, on a fresh database
            patch.setattr(command, "connection", empty)
            assert command.unapplied_migrations()  # it has everything to apply
            with pytest.raises(CommandError, match=r"not migrated.*manage\.py migrate"):
                call_command("bench", "web", "--seconds", "1")
    finally:
        empty.close()
