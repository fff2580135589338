"""python manage.py bench <name> [...]: benchmarks that print figures (never timed tests).

Each benchmark is a module bench/<name>.py with `add_arguments(parser)` and
`run(*, stdout, **options)`; add a module and its name to BENCHMARKS.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandParser

BENCHMARKS = ["ingest", "match", "send", "web"]


class Command(BaseCommand):
    help = "Run a benchmark and print its figures."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="benchmark", required=True)
        for name in BENCHMARKS:
            module = importlib.import_module(f"bench.{name}")
            module.add_arguments(subparsers.add_parser(name, help=module.__doc__.splitlines()[0]))

    def handle(self, *args, benchmark: str, **options) -> None:
        options.pop("stdout", None)  # call_command's own stream; ours is self.stdout
        importlib.import_module(f"bench.{benchmark}").run(stdout=self.stdout, **options)
