"""python manage.py send_digests [--frequency daily|weekly] [--date YYYY-MM-DD] [--dry-run]
[--json] [--enqueue]: build the edition and send it here (default) or through the workers."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from digest.channels.runs import edition_posts
from digest.channels.send import post_batch
from digest.delivery.runs import prepare_edition, preview_edition, send_edition
from digest.tasks import enqueue_pending


class Command(BaseCommand):
    help = "Build the digest edition for a date and send it (safe to run twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--frequency", choices=["daily", "weekly"], default="daily")
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, UTC)")
        parser.add_argument("--dry-run", action="store_true", help="send and store nothing")
        parser.add_argument("--json", action="store_true", help="with --dry-run: print JSON")
        parser.add_argument("--enqueue", action="store_true", help="hand batches to Celery")

    def handle(self, *args, frequency: str, date: str | None, **options) -> None:
        try:
            day = dt.date.fromisoformat(date) if date else timezone.now().date()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from error
        if options["dry_run"]:
            preview = preview_edition(frequency=frequency, date=day)
            if options["json"]:
                self.stdout.write(json.dumps(preview, ensure_ascii=False, indent=2))
            else:
                for reader in preview:
                    self.stdout.write(f"{reader['email']}: {len(reader['papers'])} papers")
                self.stdout.write(f"dry run: {len(preview)} readers would get mail")
            return
        if options["enqueue"]:
            report = prepare_edition(frequency=frequency, date=day)
            posts = edition_posts(edition_ids=[report.edition.pk])
            batches = enqueue_pending(edition_ids=[report.edition.pk], post_batches=posts)
            self.stdout.write(
                f"{report.edition}: {report.built} new rows, {batches} batches enqueued"
            )
            return
        report = send_edition(frequency=frequency, date=day)
        self.stdout.write(
            f"{report.edition}: sent={report.sent} skipped={report.skipped} "
            f"failed={report.failed} (new rows {report.built}; after a crash: "
            f"{report.recovered.resent} resent, {report.recovered.ambiguous} ambiguous)"
        )
        posted = [
            post_batch(post_ids=batch) for batch in edition_posts(edition_ids=[report.edition.pk])
        ]
        if posted:  # rows put back for a retry are posted by the next hourly run
            self.stdout.write(
                f"channel posts: sent={sum(r.sent for r in posted)} "
                f"failed={sum(r.failed for r in posted)} retry={sum(len(r.retry) for r in posted)}"
            )
