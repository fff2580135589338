"""`manage.py bench <what>`: benchmarks that print figures (never timed tests)."""

from __future__ import annotations

from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from digest.bench import ingest as bench_ingest


class Command(BaseCommand):
    help = "Run a benchmark and print its figures: bench ingest [--entries N] [--repeat N]"

    def add_arguments(self, parser: ArgumentParser) -> None:
        benchmarks = parser.add_subparsers(dest="benchmark", required=True)
        ingest = benchmarks.add_parser("ingest", help=bench_ingest.__doc__.splitlines()[0])
        ingest.add_argument("--entries", type=int, default=2000)
        ingest.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, benchmark: str, **options) -> None:
        runners = {"ingest": bench_ingest.run}
        runners[benchmark](self.stdout, **options)
