"""python manage.py subscribe EMAIL [--topics slug,slug] [--interests "free text"]
[--exclude "words"] [--frequency daily|weekly] [--confirmed]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subscriptions.operator import add_reader
from subscriptions.sending import MailNotSent


class Command(BaseCommand):
    help = (
        "Add or update a reader. --confirmed makes them active without any mail; otherwise a new "
        "reader gets the confirmation email (once per window). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--topics", help="Comma-separated topic slugs (replaces the set)")
        parser.add_argument("--interests", help="Interests in the reader's own words")
        parser.add_argument("--exclude", dest="exclusions", help="Words or phrases to exclude")
        parser.add_argument("--frequency", choices=["daily", "weekly"])
        parser.add_argument("--confirmed", action="store_true", help="Active at once, no mail")

    def handle(self, *args, **options) -> None:
        topic_slugs = None
        if options["topics"] is not None:
            topic_slugs = [slug.strip() for slug in options["topics"].split(",") if slug.strip()]
        try:
            subscriber, created, outcome = add_reader(
                email=options["email"],
                topic_slugs=topic_slugs,
                interests=options["interests"],
                exclusions=options["exclusions"],
                frequency=options["frequency"],
                confirmed=options["confirmed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        except MailNotSent as error:
            raise CommandError(f"the confirmation email could not be sent: {error}") from error
        verb = "added" if created else "updated"
        topics = ", ".join(subscriber.topics.values_list("slug", flat=True)) or "none"
        self.stdout.write(
            f"{verb} {subscriber.email}: status={subscriber.status} "
            f"frequency={subscriber.frequency} topics={topics}; {outcome.value}"
        )
