"""python manage.py bench <name> [...]: benchmarks that print figures (never timed tests).

Each benchmark is a module bench/<name>.py with `add_arguments(parser)` and
`run(*, stdout, **options)`; add a module and its name to BENCHMARKS.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BENCHMARKS = ["ingest", "match", "send", "web"]
ON_THE_DATABASE = {"ingest", "send", "web"}  # match scores in memory only


def unapplied_migrations() -> list:
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


class Command(BaseCommand):
    help = "Run a benchmark and print its figures."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="benchmark", required=True)
        for name in BENCHMARKS:
            module = importlib.import_module(f"bench.{name}")
            module.add_arguments(subparsers.add_parser(name, help=module.__doc__.splitlines()[0]))

    def handle(self, *args, benchmark: str, **options) -> None:
        options.pop("stdout", None)  # call_command's own stream; ours is self.stdout
        if benchmark in ON_THE_DATABASE and (missing := unapplied_migrations()):
            raise CommandError(
                f"the database is not migrated ({len(missing)} migrations to apply): "
                "run `.venv/bin/python manage.py migrate` first"
            )
        importlib.import_module(f"bench.{benchmark}").run(stdout=self.stdout, **options)
