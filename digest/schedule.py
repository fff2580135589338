"""Who is due when: the one schedule rule (`_due_on`), used by the hourly send and by previews.

A reader is due on their LOCAL date once their hour has come, when they receive mail that day
(active, or their pause has ended), it is their weekday (weekly), and they have no edition of
their frequency dated that day or later. `due_readers` applies it to everyone at once;
`next_edition_date` finds the first day it holds for one reader.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet

from digest.models import Delivery, Edition
from subscriptions.models import Subscriber

# How many days late a weekly edition is still sent when the hourly job missed the reader's day.
WEEKLY_CATCH_UP_DAYS = 3


def due_readers(
    *, now: dt.datetime, last_run: dt.datetime | None = None
) -> dict[tuple[str, dt.date], list[int]]:
    """Readers whose chosen hour (and weekday, for weekly) has come in their own time zone.

    Keyed by (frequency, the reader's LOCAL date): that is the edition they get. A reader who
    already has a row for that edition is not due any more. `last_run`, when the hourly job
    last completed, lets a weekly edition it missed (an outage over the reader's hour) go out
    late; without it nothing is caught up.
    """
    due: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    # A local date is at most one day after the UTC date, so this finds every zone with a
    # reader receiving on their local date (a pause ending there included).
    tomorrow = now.date() + dt.timedelta(days=1)
    zones = Subscriber.objects.receiving(tomorrow).values_list("timezone", flat=True)
    for zone in sorted(set(zones)):
        local = now.astimezone(_zone(zone))
        readers = Subscriber.objects.filter(timezone=zone)
        due[(Edition.Frequency.DAILY, local.date())] += _due_daily(readers, local)
        missed_since = last_run.astimezone(local.tzinfo) if last_run else local
        for day, ids in _due_weekly(readers, local, missed_since=missed_since):
            due[(Edition.Frequency.WEEKLY, day)] += ids
    return {key: ids for key, ids in due.items() if ids}


def _due_daily(readers: QuerySet[Subscriber], local: dt.datetime) -> list[int]:
    """A missed daily needs no catch-up: the next daily's 48-hour window holds its papers."""
    daily = _due_on(readers, Edition.Frequency.DAILY, local.date())
    return list(daily.filter(send_hour__lte=local.hour).values_list("pk", flat=True))


def _due_weekly(
    readers: QuerySet[Subscriber], local: dt.datetime, *, missed_since: dt.datetime
) -> Iterator[tuple[dt.date, list[int]]]:
    """Today's weekly readers once their hour has come; and, up to WEEKLY_CATCH_UP_DAYS late,
    those whose hour on their day fell after `missed_since` (the last completed run, local
    time), who were readers by that day and have had no weekly edition since."""
    for late in range(WEEKLY_CATCH_UP_DAYS + 1):
        day = local.date() - dt.timedelta(days=late)
        if late and missed_since.date() > day:
            continue  # the job ran after that day: nothing of it was missed
        weekly = _due_on(readers, Edition.Frequency.WEEKLY, day)
        if not late:
            weekly = weekly.filter(send_hour__lte=local.hour)
        else:
            if missed_since.date() == day:
                weekly = weekly.filter(send_hour__gt=missed_since.hour)
            end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), local.tzinfo)
            weekly = weekly.filter(
                Q(confirmed_at__lt=end_of_day) | Q(confirmed_at=None, created_at__lt=end_of_day)
            )
        yield day, list(weekly.values_list("pk", flat=True))


def _due_on(readers: QuerySet[Subscriber], frequency: str, day: dt.date) -> QuerySet[Subscriber]:
    """THE schedule rule for a reader's local date `day` (their hour decides when in it)."""
    return _on_schedule(readers.receiving(day), frequency, day)


def _on_schedule(readers: QuerySet[Subscriber], frequency: str, day: dt.date) -> QuerySet:
    """Readers of this frequency whose weekday `day` is (weekly), with no edition of this
    frequency dated `day` or later."""
    readers = readers.filter(frequency=frequency)
    if frequency == Edition.Frequency.WEEKLY:
        readers = readers.filter(weekday=day.weekday())
    return readers.exclude(pk__in=_had_edition(frequency, since=day))


def next_edition_date(*, subscriber: Subscriber, now: dt.datetime) -> dt.date:
    """The local date of the reader's next regular edition, by the rule `due_readers` applies:
    the first day from today (or the end of their pause) that is on their schedule. A reader
    who gets no mail (pending, unsubscribed) is given the date they would get if they did."""
    day = now.astimezone(_zone(subscriber.timezone)).date()
    if subscriber.status == Subscriber.Status.PAUSED and subscriber.paused_until:
        day = max(day, subscriber.paused_until)
    reader = Subscriber.objects.filter(pk=subscriber.pk)
    for _ in range(14):  # a weekly reader who already has this week's edition: 8 days at most
        if _on_schedule(reader, subscriber.frequency, day).exists():
            return day
        day += dt.timedelta(days=1)
    return day


def _had_edition(frequency: str, *, since: dt.date) -> QuerySet[Delivery]:
    """Readers with a row for an edition of this frequency dated `since` or later (one subquery:
    `exclude()` across a multi-valued relation would not keep both conditions on one row)."""
    rows = Delivery.objects.filter(edition__frequency=frequency, edition__date__gte=since)
    return rows.values("subscriber_id")


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC
