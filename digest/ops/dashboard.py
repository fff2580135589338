"""The numbers behind /ops/: aggregate queries over bounded windows, grouped by day or edition.

Every query is a GROUP BY over an indexed column and a bounded range (the last 30 days, the
last editions), so the page costs a fixed handful of queries whatever the table sizes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DateTimeField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from digest.models import Delivery, Edition, EmailEvent, IngestRun, Paper, Source
from digest.ops.channels import ChannelCounts, channel_counts
from subscriptions.models import Subscriber, Topic
from subscriptions.stats import active_readers_per_topic

WINDOW_DAYS = 30
EDITIONS_SHOWN = 14
SETTLED_CACHE_SECONDS = 600
# Gmail's bulk-sender guidance: keep the spam-complaint rate under 0.1%, never reach 0.3%.
RATE_WARN = 0.001
RATE_LIMIT = 0.003
_DATE_SUFFIX = re.compile(r"\s+until\s+\S+$")


@dataclass
class DailySeries:
    days: list[dt.date]
    series: dict[str, list[int]]

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(values) for name, values in self.series.items()}


@dataclass
class TopicRow:
    name: str
    active: int
    signups: int
    papers_today: int = 0


@dataclass
class EditionHealth:
    edition: Edition
    built: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    waiting: int = 0
    opened: int = 0
    clicked: int = 0
    bounced: int = 0
    complained: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    fail_reasons: dict[str, int] = field(default_factory=dict)
    channels: ChannelCounts = field(default_factory=ChannelCounts)  # Slack/Discord/Matrix posts

    @property
    def bounce_rate(self) -> float:
        return self.bounced / self.sent if self.sent else 0.0

    @property
    def complaint_rate(self) -> float:
        return self.complained / self.sent if self.sent else 0.0

    @property
    def warnings(self) -> list[str]:
        found = []
        for name, rate in (("bounce", self.bounce_rate), ("complaint", self.complaint_rate)):
            if rate >= RATE_LIMIT:
                found.append(f"{name} rate {rate:.2%} is at or above Gmail's 0.3% limit")
            elif rate >= RATE_WARN:
                found.append(f"{name} rate {rate:.2%} is above Gmail's 0.1% guidance")
        return found


@dataclass
class SourceHealth:
    source: Source
    last_status: str | None
    last_started_at: dt.datetime | None
    last_error: str
    fetched: int
    new: int
    failed: int
    runs_failed: int
    age_hours: float | None
    stale: bool


def _days(today: dt.date, days: int) -> list[dt.date]:
    return [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]


def _per_day(field_name: str, since: dt.datetime, **filters: object) -> Counter:
    rows = (
        Subscriber.objects.filter(**{f"{field_name}__gte": since}, **filters)
        .annotate(day=TruncDate(field_name))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return Counter(dict(rows))


def readers_over_time(*, today: dt.date, days: int = WINDOW_DAYS) -> DailySeries:
    """Sign-ups, confirmations, unsubscribes and suppressions per day (server time zone)."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time()))
    counts = {
        "sign-ups": _per_day("created_at", since),
        "confirmations": _per_day("confirmed_at", since),
        "unsubscribes": _per_day("unsubscribed_at", since),
        "suppressions": _per_day("suppressed_at", since),
    }
    window = _days(today, days)
    return DailySeries(
        days=window, series={name: [c.get(d, 0) for d in window] for name, c in counts.items()}
    )


def readers_by_status() -> dict[str, int]:
    rows = Subscriber.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts = dict(rows)
    return {status: counts.get(status, 0) for status in Subscriber.Status.values}


def readers_by_topic(*, today: dt.date, days: int = WINDOW_DAYS) -> list[TopicRow]:
    """Per topic: today's papers in its categories, active readers (cached), recent sign-ups."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time()))
    active = active_readers_per_topic()
    signups = dict(
        Subscriber.topics.through.objects.filter(subscriber__created_at__gte=since)
        .order_by()
        .values_list("topic_id")
        .annotate(n=Count("pk"))
    )
    papers = [set(p.categories or ()) for p in todays_papers(today=today, limit=None)]
    rows = [
        TopicRow(
            name=topic.name,
            active=active.get(topic.pk, 0),
            signups=signups.get(topic.pk, 0),
            papers_today=sum(1 for cats in papers if cats & set(topic.categories or ())),
        )
        for topic in Topic.objects.all()
    ]
    return sorted(rows, key=lambda r: (-r.papers_today, -r.active, r.name))


def _reason_label(reason: str) -> str:
    """Group "paused until 2026-12-01" with every other pause."""
    return _DATE_SUFFIX.sub("", reason.strip()) or "no reason recorded"


def _edition_rows(edition_ids: list[int]) -> dict[int, list[tuple]]:
    """One pass over the ledger rows of these editions: (status, reason, n, opened, clicked)."""
    rows: dict[int, list[tuple]] = {pk: [] for pk in edition_ids}
    grouped = (
        Delivery.objects.filter(edition_id__in=edition_ids)
        .order_by()
        .values("edition_id", "status", "reason")
        .annotate(
            n=Count("pk"),
            opened=Count("pk", filter=Q(opens__gt=0)),
            clicked=Count("pk", filter=Q(clicks__gt=0)),
        )
        .values_list("edition_id", "status", "reason", "n", "opened", "clicked")
    )
    for edition_id, *row in grouped:
        rows[edition_id].append(tuple(row))
    return rows


def edition_ledger_counts(editions: list[Edition], *, today: dt.date) -> dict[int, list[tuple]]:
    """Ledger counts per edition. Editions from before yesterday are settled, so their counts
    are kept in the cache for SETTLED_CACHE_SECONDS (the "stored counts"); recent ones are live.
    """
    settled = {e.pk for e in editions if e.date < today - dt.timedelta(days=1)}
    keys = {pk: f"ops:edition-ledger:{pk}" for pk in settled}
    cached = cache.get_many(list(keys.values())) if keys else {}
    result = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [e.pk for e in editions if e.pk not in result]
    if missing:
        fresh = _edition_rows(missing)
        cache.set_many(
            {keys[pk]: rows for pk, rows in fresh.items() if pk in keys},
            timeout=SETTLED_CACHE_SECONDS,
        )
        result.update(fresh)
    return result


def delivery_health(*, today: dt.date, editions: int = EDITIONS_SHOWN) -> list[EditionHealth]:
    """Per edition, oldest first: ledger counts by status and reason, engagement, complaints."""
    recent = list(Edition.objects.order_by("-date", "-pk")[:editions])
    health = {e.pk: EditionHealth(edition=e) for e in reversed(recent)}
    for edition_id, rows in edition_ledger_counts(recent, today=today).items():
        row = health[edition_id]
        for status, reason, n, opened, clicked in rows:
            row.built += n
            row.opened += opened
            row.clicked += clicked
            if status in ("sent", "skipped", "failed"):
                setattr(row, status, getattr(row, status) + n)
            else:
                row.waiting += n
            if status in ("skipped", "failed"):
                target = row.skip_reasons if status == "skipped" else row.fail_reasons
                label = _reason_label(reason)
                target[label] = target.get(label, 0) + n
    for edition_id, counts in channel_counts(list(health)).items():
        health[edition_id].channels = counts
    complaints = (
        EmailEvent.objects.filter(
            event_type__in=["bounced", "complained"], delivery__edition_id__in=list(health)
        )
        .order_by()
        .values_list("delivery__edition_id", "event_type")
        .annotate(n=Count("delivery_id", distinct=True))
    )
    for edition_id, event_type, n in complaints:
        setattr(health[edition_id], event_type, n)
    return list(health.values())


def ingestion_health(*, now: dt.datetime) -> list[SourceHealth]:
    latest = IngestRun.objects.filter(source=OuterRef("pk")).order_by("-started_at")
    since = now - dt.timedelta(days=WINDOW_DAYS)
    sources = Source.objects.annotate(
        run_status=Subquery(latest.values("status")[:1]),
        run_started=Subquery(latest.values("started_at")[:1], output_field=DateTimeField()),
        run_error=Subquery(latest.values("error")[:1]),
        run_fetched=Subquery(latest.values("fetched")[:1]),
        run_new=Subquery(latest.values("new")[:1]),
        run_failed=Subquery(latest.values("failed")[:1]),
        runs_failed=Count(
            "runs", filter=Q(runs__status=IngestRun.Status.FAILED, runs__started_at__gte=since)
        ),
    )
    limit = settings.HEALTH_MAX_INGEST_AGE_HOURS
    result = []
    for source in sources:
        age = (
            (now - source.last_success_at).total_seconds() / 3600
            if source.last_success_at
            else None
        )
        result.append(
            SourceHealth(
                source=source,
                last_status=source.run_status,
                last_started_at=source.run_started,
                last_error=source.run_error or "",
                fetched=source.run_fetched or 0,
                new=source.run_new or 0,
                failed=source.run_failed or 0,
                runs_failed=source.runs_failed,
                age_hours=age,
                stale=source.enabled and (age is None or age > limit),
            )
        )
    return result


def todays_papers(*, today: dt.date, limit: int | None = 10) -> list[Paper]:
    """Papers trending today or first seen in the last day, best first."""
    start = timezone.make_aware(dt.datetime.combine(today, dt.time())) - dt.timedelta(hours=24)
    papers = Paper.objects.filter(Q(trending_date=today) | Q(first_seen_at__gte=start)).trending()
    return list(papers[:limit] if limit else papers[:2000])


def ingest_by_day(*, today: dt.date, days: int = WINDOW_DAYS) -> DailySeries:
    """New papers per day across all sources."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time()))
    rows = (
        IngestRun.objects.filter(started_at__gte=since)
        .annotate(day=TruncDate("started_at"))
        .order_by()
        .values("day")
        .annotate(new_papers=Sum("new"))
        .values_list("day", "new_papers")
    )
    new = dict(rows)
    window = _days(today, days)
    return DailySeries(days=window, series={"new papers": [new.get(d) or 0 for d in window]})
