"""`manage.py seed_volume --readers 100000 --deliveries 1000000`: realistic volume, fast.

Bulk-inserts readers (with topics), a month of daily editions, the delivery ledger, ESP events,
sources, ingest runs and papers, so the admin and /ops/ can be measured at scale
(`manage.py bench_ops`). PostgreSQL gets COPY; SQLite gets executemany. Rows are tagged with a
run id in their addresses and message ids, so seeding twice adds a second set, never collides.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import time
from collections.abc import Iterable, Sequence

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from digest.logs import log_event
from digest.models import Delivery, Edition, EmailEvent, IngestRun, Paper, Source
from subscriptions.models import Subscriber, Topic

TOPICS = [
    ("robot-learning", "Robot learning", ["cs.RO"], ["robot learning", "manipulation"]),
    ("llm-reasoning", "LLM reasoning", ["cs.CL"], ["chain of thought", "reasoning"]),
    ("rlhf", "RLHF and alignment", ["cs.LG"], ["rlhf", "preference optimization"]),
    ("diffusion", "Diffusion models", ["cs.CV"], ["diffusion"]),
    ("agents", "Agents", ["cs.AI"], ["agent", "tool use"]),
    ("speech", "Speech", ["eess.AS"], ["speech", "asr"]),
    ("graphs", "Graph learning", ["cs.SI"], ["graph neural network"]),
    ("theory", "Learning theory", ["stat.ML"], ["generalization bound"]),
]
STATUSES = [("active", 80), ("pending", 8), ("unsubscribed", 5), ("suppressed", 2), ("paused", 5)]
SKIP_REASONS = [("no matching papers", 85), ("paused until 2026-12-31", 10), ("suppressed", 5)]
SUBJECTS = ["reasoning", "manipulation", "diffusion", "agents", "speech"]
FAIL_REASONS = ["550 5.1.1 mailbox unavailable", "554 5.7.1 message rejected as spam"]


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """COPY on PostgreSQL, executemany elsewhere; values already in database form."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        ops = connection.ops

        def adapt(value: object) -> object:
            if isinstance(value, dt.datetime):
                return ops.adapt_datetimefield_value(value)
            return value

        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(adapt(v) for v in row))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


class Command(BaseCommand):
    help = "Bulk-insert realistic volumes of readers, editions, deliveries and events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--readers", type=int, default=100_000)
        parser.add_argument("--deliveries", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: object, **options: int) -> None:
        started = time.perf_counter()
        seeder = Seeder(
            readers=options["readers"],
            deliveries=options["deliveries"],
            days=options["days"],
            rng=random.Random(options["seed"]),
        )
        with transaction.atomic():
            counts = seeder.run()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        line = log_event("seed.done", seconds=round(seconds, 1), **counts)
        self.stdout.write(line)


class Seeder:
    def __init__(self, *, readers: int, deliveries: int, days: int, rng: random.Random) -> None:
        self.readers, self.deliveries, self.days, self.rng = readers, deliveries, days, rng
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.tag = secrets.token_hex(3)

    def run(self) -> dict[str, int]:
        topics = self.topics()
        reader_ids = self.seed_readers(topics)
        self.seed_papers_and_sources()
        editions = self.editions()
        delivered = self.seed_deliveries(reader_ids, editions)
        events = self.seed_events(editions)
        return {"readers": len(reader_ids), "deliveries": delivered, "events": events}

    def topics(self) -> list[int]:
        for position, (slug, name, categories, keywords) in enumerate(TOPICS):
            Topic.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "categories": categories,
                    "keywords": keywords,
                    "position": position,
                },
            )
        return list(Topic.objects.values_list("pk", flat=True))

    def seed_readers(self, topics: list[int]) -> list[int]:
        rng, now = self.rng, self.now

        def rows() -> Iterable[tuple]:
            for i in range(self.readers):
                status = weighted(rng, STATUSES)
                created = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60))
                sent = created + dt.timedelta(seconds=5)
                confirmed = (
                    None
                    if status == "pending"
                    else created + dt.timedelta(minutes=rng.randint(1, 600))
                )
                late = min(now, created + dt.timedelta(days=rng.randint(1, 40)))
                yield (
                    f"seed-{self.tag}-{i}@example.org",
                    status,
                    "weekly" if rng.random() < 0.2 else "daily",
                    rng.randint(0, 6),
                    rng.choice([6, 7, 8, 9]),
                    rng.choice(["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
                    "",
                    "",
                    10,
                    (self.today + dt.timedelta(days=20)) if status == "paused" else None,
                    "",
                    secrets.token_urlsafe(32),
                    0,
                    "hard bounce" if status == "suppressed" else "",
                    created,
                    sent,
                    confirmed,
                    late if status == "unsubscribed" else None,
                    late if status == "suppressed" else None,
                    now,
                    "{}",
                    "",
                )

        insert_rows(
            Subscriber._meta.db_table,
            [
                "email", "status", "frequency", "weekday", "send_hour", "timezone", "interests",
                "exclusions", "max_papers", "paused_until", "pending_email", "feed_key",
                "soft_bounces", "suppression_reason", "created_at", "confirmation_sent_at",
                "confirmed_at", "unsubscribed_at", "suppressed_at", "updated_at",
                "pending_choices", "account_mail_claim",
            ],
            rows(),
        )  # fmt: skip
        ids = list(
            Subscriber.objects.filter(email__startswith=f"seed-{self.tag}-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        through = Subscriber.topics.through
        insert_rows(
            through._meta.db_table,
            ["subscriber_id", "topic_id"],
            (
                (pk, topic)
                for pk in ids
                for topic in self.rng.sample(topics, k=self.rng.randint(1, min(3, len(topics))))
            ),
        )
        return ids

    def seed_papers_and_sources(self) -> None:
        rng = self.rng
        sources = []
        for name, kind in (
            ("hf-daily", "hf-daily"),
            ("arxiv-cs", "arxiv-listing"),
            ("lab-blog", "feed"),
        ):
            source, _ = Source.objects.get_or_create(
                name=name, defaults={"kind": kind, "url": f"https://example.org/{name}"}
            )
            sources.append(source)
        runs = []
        for day in range(self.days):
            for source in sources:
                started = self.now - dt.timedelta(days=day, hours=2)
                broken = source.name == "lab-blog" and day < 2
                runs.append(
                    IngestRun(
                        source=source,
                        label=source.name,
                        status=IngestRun.Status.FAILED if broken else IngestRun.Status.OK,
                        started_at=started,
                        finished_at=started + dt.timedelta(seconds=rng.randint(3, 90)),
                        fetched=0 if broken else rng.randint(50, 400),
                        new=0 if broken else rng.randint(5, 60),
                        error="HTTP 503 after 3 retries" if broken else "",
                    )
                )
        IngestRun.objects.bulk_create(runs, batch_size=1000)
        for source in sources:
            ok = source.runs.filter(status=IngestRun.Status.OK).order_by("-started_at").first()
            Source.objects.filter(pk=source.pk).update(
                last_run_at=self.now - dt.timedelta(hours=2),
                last_success_at=ok.finished_at if ok else None,
            )
        papers = []
        categories = [c for _, _, cats, _ in TOPICS for c in cats]
        for day in range(self.days):
            for n in range(40):
                seen = self.now - dt.timedelta(days=day, minutes=rng.randint(0, 600))
                cats = rng.sample(categories, k=rng.randint(1, 2))
                papers.append(
                    Paper(
                        canonical_id=f"seed{self.tag}.{day:03d}{n:02d}",
                        title=f"A study of {rng.choice(SUBJECTS)} number {day}-{n}",
                        categories=cats,
                        primary_category=cats[0],
                        first_seen_at=seen,
                        trending_date=timezone.localdate(seen),
                        upvotes=rng.randint(0, 300),
                        trending_score=round(rng.random() * 10, 3),
                        why_trending=f"+{rng.randint(1, 80)} upvotes today",
                    )
                )
        Paper.objects.bulk_create(papers, batch_size=1000)

    def editions(self) -> list[Edition]:
        editions = []
        for day in range(self.days - 1, -1, -1):
            date = self.today - dt.timedelta(days=day)
            edition, _ = Edition.objects.get_or_create(frequency="daily", date=date)
            editions.append(edition)
        return editions

    def seed_deliveries(self, reader_ids: list[int], editions: list[Edition]) -> int:
        rng = self.rng
        per_edition = min(len(reader_ids), self.deliveries // max(len(editions), 1))
        papers_json = json.dumps(
            [{"id": "2411.00001", "score": 1.2, "why": "matches your topic Robot learning"}]
        )

        def rows() -> Iterable[tuple]:
            for k, edition in enumerate(editions):
                start = rng.randrange(len(reader_ids)) if reader_ids else 0
                created = timezone.make_aware(dt.datetime.combine(edition.date, dt.time(6)))
                last = k == len(editions) - 1
                for j in range(per_edition):
                    reader = reader_ids[(start + j) % len(reader_ids)]
                    roll = rng.random()
                    if last and roll < 0.05:
                        status, reason = "pending", ""
                    elif roll < 0.94:
                        status, reason = "sent", ""
                    elif roll < 0.99:
                        status, reason = "skipped", weighted(rng, SKIP_REASONS)
                    else:
                        status, reason = "failed", rng.choice(FAIL_REASONS)
                    sent = status == "sent"
                    yield (
                        reader,
                        edition.pk,
                        status,
                        reason,
                        papers_json if sent else "[]",
                        1 if status in ("sent", "failed") else 0,
                        created,
                        created if status != "pending" else None,
                        created + dt.timedelta(seconds=j % 3600) if sent else None,
                        f"<seed-{self.tag}-{k}-{j}@paperboy.test>" if sent else "",
                        (1 if rng.random() < 0.35 else 0) if sent else 0,
                        (1 if rng.random() < 0.08 else 0) if sent else 0,
                    )

        insert_rows(
            Delivery._meta.db_table,
            [
                "subscriber_id", "edition_id", "status", "reason", "papers", "attempts",
                "created_at", "claimed_at", "sent_at", "message_id", "opens", "clicks",
            ],
            rows(),
        )  # fmt: skip
        return per_edition * len(editions)

    def seed_events(self, editions: list[Edition]) -> int:
        """Bounces ~0.05% and complaints ~0.03% of sent; one edition crosses Gmail's 0.1%."""
        rows = []
        for k, edition in enumerate(editions):
            sent = Delivery.objects.filter(
                edition=edition, status="sent", message_id__startswith=f"<seed-{self.tag}-"
            )
            total = sent.count()
            hot = k == len(editions) - 3
            bounces = max(1, int(total * 0.0005))
            complaints = max(1, int(total * (0.0015 if hot else 0.0003)))
            picked = list(
                sent.order_by("pk").values_list("pk", "message_id", "subscriber__email")[
                    : bounces + complaints
                ]
            )
            for i, (pk, message_id, email) in enumerate(picked):
                kind = "bounced" if i < bounces else "complained"
                rows.append(
                    (
                        f"seed-{self.tag}-{pk}-{kind}",
                        kind,
                        "postmark",
                        message_id,
                        email,
                        pk,
                        self.now,
                        self.now,
                        "550 mailbox unavailable" if kind == "bounced" else "spam complaint",
                        "{}",
                    )
                )
        insert_rows(
            EmailEvent._meta.db_table,
            [
                "event_id", "event_type", "esp_name", "message_id", "recipient", "delivery_id",
                "timestamp", "received_at", "description", "payload",
            ],
            rows,
        )  # fmt: skip
        return len(rows)
