"""`manage.py ingest`: run sources (or a recorded file) by hand, as the scheduler would."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digest.embeddings import embed_papers
from digest.ingest import recompute_trending, run_ingest
from digest.ingest.defaults import ensure_default_sources
from digest.ingest.sources import FORMATS
from digest.models import IngestRun, Source

COUNTS = ("fetched", "new", "updated", "unchanged", "skipped", "failed")
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Fetch sources (default: every enabled one) or read a recorded document, and store the "
        "papers. Exits non-zero when any run failed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--source", action="append", default=[], metavar="NAME", help="repeatable"
        )
        parser.add_argument("--all", action="store_true", help="every enabled source (default)")
        parser.add_argument("--file", type=Path, help="a recorded document instead of fetching")
        parser.add_argument("--format", choices=sorted(FORMATS), help="the format of --file")
        parser.add_argument(
            "--create-default-sources",
            action="store_true",
            help="first add the production sources (HF Daily Papers, arXiv listing)",
        )

    def handle(self, *args, **options) -> None:
        if options["create_default_sources"]:
            for source in ensure_default_sources():
                self.stdout.write(f"created source {source.name} ({source.url})")
        jobs = self.jobs(options)
        runs: list[IngestRun] = []
        for position, (label, job) in enumerate(jobs):
            self.progress(position, len(jobs), label)
            runs.append(job())
        self.progress(len(jobs), len(jobs), "done")
        for run in runs:
            self.stdout.write(self.summary(run))
        if any(run.status == IngestRun.Status.OK and (run.new or run.updated) for run in runs):
            recompute_trending(now=timezone.now())
            embed_papers()
        failed = [run for run in runs if run.status == IngestRun.Status.FAILED]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(runs)} run(s) failed: "
                + "; ".join(f"{run.label}: {run.error}" for run in failed)
            )

    def jobs(self, options: dict) -> list[tuple[str, Callable[[], IngestRun]]]:
        names: list[str] = options["source"]
        sources = list(Source.objects.filter(name__in=names)) if names else []
        missing = sorted(set(names) - {source.name for source in sources})
        if missing:
            raise CommandError(f"no source named {', '.join(missing)}")
        if options["file"] is not None:
            path, fmt = options["file"], options["format"]
            if fmt is None:
                raise CommandError("--file needs --format " + "|".join(sorted(FORMATS)))
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
            if len(sources) > 1:
                raise CommandError("--file takes at most one --source (who saw these papers)")
            source = sources[0] if sources else None
            return [(str(path), lambda: run_ingest(source=source, path=path, fmt=fmt))]
        if options["format"]:
            raise CommandError("--format only goes with --file")
        if not sources:
            sources = list(Source.objects.filter(enabled=True))
            if not sources and not options["create_default_sources"]:
                self.stdout.write(
                    "no enabled sources; add some in the admin or with --create-default-sources"
                )
        return [(s.name, lambda s=s: run_ingest(source=s)) for s in sources]

    def progress(self, done: int, total: int, label: str) -> None:
        """A bar on a terminal; nothing when output goes to a file or a pipe."""
        if not total or not self.stdout.isatty():
            return
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}", ending="")
        if done == total:
            self.stdout.write("")

    def summary(self, run: IngestRun) -> str:
        counts = ", ".join(f"{name} {getattr(run, name)}" for name in COUNTS)
        line = f"{run.label}: {run.status}: {counts}"
        if run.error:
            line += f"\n  error: {run.error}"
        for warning in run.warnings[:5]:
            line += f"\n  warning: {warning}"
        if len(run.warnings) > 5:
            line += f"\n  ... and {len(run.warnings) - 5} more warning(s), see the admin"
        return line
