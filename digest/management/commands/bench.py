"""python manage.py bench SUBJECT [options]: benchmarks that print figures (never asserted).

Subjects: `web` (subscriptions/bench.py). Other branches add theirs to BENCHES.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from subscriptions import bench as web_bench

BENCHES = {"web": web_bench.run}


class Command(BaseCommand):
    help = "Run a benchmark and print its figures: " + ", ".join(BENCHES)

    def add_arguments(self, parser: CommandParser) -> None:
        subjects = parser.add_subparsers(dest="subject", required=True)
        web = subjects.add_parser("web", help="gunicorn + wrk on the reader endpoints")
        web.add_argument("--readers", type=int, default=20000, help="distinct one-click readers")
        web.add_argument("--seconds", type=int, default=10, help="length of each phase")
        web.add_argument("--connections", type=int, default=4)
        web.add_argument("--threads", type=int, default=1)
        web.add_argument("--workers", type=int, default=2)

    def handle(self, *args, subject: str, **options) -> None:
        names = ["readers", "seconds", "connections", "threads", "workers"]
        BENCHES[subject](self.stdout, **{name: options[name] for name in names})
