"""`manage.py bench_ops`: time the operator's pages on whatever the database holds.

Requests each admin list page, the dashboard, a "why no email?" page and /healthz through
Django's test client as a superuser, and prints wall time and query count per page (best of
`--repeat`). Run after `seed_volume` to get the figures in docs/operators.md.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digest.models import Delivery, Edition
from subscriptions.models import Subscriber

BENCH_USER = "bench-ops"


class Command(BaseCommand):
    help = "Time admin list pages, the dashboard, explain and /healthz on the current data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args: object, repeat: int, **options: object) -> None:
        user, _ = get_user_model().objects.get_or_create(
            username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client()
        client.force_login(user)
        reader = Subscriber.objects.filter(deliveries__isnull=False).order_by("-pk").first()
        edition = Edition.objects.order_by("-date").first()
        email = reader.email if reader else "nobody@example.org"
        prefix = email.split("@")[0]  # the local part: a selective prefix
        pages = [
            ("readers list", reverse("admin:subscriptions_subscriber_changelist")),
            ("readers ?status=active", "?status__exact=active"),
            ("readers ?topic", "?topic=1"),
            ("readers search exact", "?" + urlencode({"q": email})),
            ("readers search prefix", "?" + urlencode({"q": prefix})),
            ("deliveries list", reverse("admin:digest_delivery_changelist")),
            ("deliveries ?status=failed", "?status__exact=failed"),
            (
                "deliveries ?edition",
                f"?edition__id__exact={edition.pk if edition else 0}",
            ),
            ("deliveries search email", "?" + urlencode({"q": email})),
            ("editions list", reverse("admin:digest_edition_changelist")),
            ("email events list", reverse("admin:digest_emailevent_changelist")),
            ("topics list", reverse("admin:subscriptions_topic_changelist")),
            ("papers list", reverse("admin:digest_paper_changelist")),
            ("sources list", reverse("admin:digest_source_changelist")),
            ("dashboard /ops/", reverse("ops:dashboard")),
            ("why no email", reverse("ops:reader") + "?" + urlencode({"email": email})),
            ("/healthz", reverse("healthz")),
        ]
        readers = Subscriber.objects.count()
        deliveries = Delivery.objects.count()
        self.stdout.write(
            f"{connection.vendor}: {readers:,} readers, {deliveries:,} deliveries; best of {repeat}"
        )
        base = ""
        for name, path in pages:
            url = base + path if path.startswith("?") else path
            if not path.startswith("?"):
                base = path
            cache.clear()  # the first request is cold: no cached counts
            cold, _ = self._time(client, url, 1)
            best, queries = self._time(client, url, repeat)
            self.stdout.write(
                f"  {name:26s} cold {cold * 1000:7.1f} ms  warm {best * 1000:7.1f} ms"
                f"  {queries:3d} queries"
            )

    def _time(self, client: Client, url: str, repeat: int) -> tuple[float, int]:
        best, queries = float("inf"), 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            if response.status_code not in (200, 503):
                raise CommandError(f"{url} answered {response.status_code}")
            best, queries = min(best, elapsed), len(captured)
        return best, queries
