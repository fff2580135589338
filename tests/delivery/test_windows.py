"""Which papers an edition considers, and when each reader is due: time pinned at the edges of
weeks, months and years, and across time zones."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.editions import build_edition, candidate_papers, edition_window
from digest.schedule import due_readers
from subscriptions.models import Subscriber
from tests.delivery.factories import make_paper, make_reader

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def titles(frequency: str, date: dt.date) -> set[str]:
    return {p.title for p in candidate_papers(frequency=frequency, date=date)}


def test_a_weekly_edition_on_the_first_of_a_month_reaches_back_into_the_previous_month() -> None:
    make_paper("Seen on 23 Feb", seen=at(2026, 2, 23, 12))
    make_paper("Seen on 24 Feb", seen=at(2026, 2, 24, 0))
    make_paper("Seen on 1 Mar", seen=at(2026, 3, 1, 23, 59))
    make_paper("Seen on 2 Mar", seen=at(2026, 3, 2, 0))

    start, end = edition_window(frequency="weekly", date=dt.date(2026, 3, 1))

    assert (start, end) == (at(2026, 2, 23), at(2026, 3, 2))
    assert titles("weekly", dt.date(2026, 3, 1)) == {
        "Seen on 23 Feb",
        "Seen on 24 Feb",
        "Seen on 1 Mar",
    }


def test_a_weekly_window_counts_the_leap_day() -> None:
    make_paper("Seen on 22 Feb", seen=at(2028, 2, 22, 23))
    make_paper("Seen on 29 Feb", seen=at(2028, 2, 29, 9))
    assert titles("weekly", dt.date(2028, 2, 29)) == {"Seen on 29 Feb"}
    assert titles("weekly", dt.date(2028, 3, 6)) == {"Seen on 29 Feb"}


def test_a_weekly_edition_spans_the_turn_of_the_year() -> None:
    make_paper("Seen on 29 Dec", seen=at(2025, 12, 29, 8))
    make_paper("Seen on 2 Jan", seen=at(2026, 1, 2, 8))
    assert titles("weekly", dt.date(2026, 1, 4)) == {"Seen on 29 Dec", "Seen on 2 Jan"}


def test_a_daily_edition_holds_the_last_48_hours_and_papers_trending_on_its_days() -> None:
    make_paper("Two days old", seen=at(2026, 3, 30, 23, 59))
    make_paper("Yesterday", seen=at(2026, 3, 31, 6))
    make_paper("Old but trending today", seen=at(2026, 2, 1), trending_date=dt.date(2026, 4, 1))
    assert titles("daily", dt.date(2026, 4, 1)) == {"Yesterday", "Old but trending today"}


def test_a_monday_weekly_reader_in_tokyo_is_due_while_it_is_still_sunday_in_utc() -> None:
    make_reader("tokyo@example.org", frequency="weekly", weekday=0, timezone="Asia/Tokyo")
    make_reader("newyork@example.org", frequency="weekly", weekday=0, timezone="America/New_York")
    sunday_evening_utc = at(2026, 3, 1, 23, 5)  # Monday 08:05 in Tokyo, Sunday 18:05 in New York

    due = due_readers(now=sunday_evening_utc)

    assert list(due) == [("weekly", dt.date(2026, 3, 2))]  # Tokyo's local date: Monday 2 March
    assert len(due[("weekly", dt.date(2026, 3, 2))]) == 1


def test_a_daily_reader_west_of_utc_gets_the_edition_of_their_own_date_at_month_end() -> None:
    make_reader("la@example.org", timezone="America/Los_Angeles", send_hour=7)
    assert due_readers(now=at(2026, 3, 31, 13)) == {}  # 06:00 on 31 March there: not yet
    # 05:00 UTC on 1 April is still 22:00 on 31 March in Los Angeles: 31 March's edition.
    assert list(due_readers(now=at(2026, 4, 1, 5))) == [("daily", dt.date(2026, 3, 31))]
    # 15:00 UTC on 1 April is 08:00 on 1 April there.
    assert list(due_readers(now=at(2026, 4, 1, 15))) == [("daily", dt.date(2026, 4, 1))]


def test_a_reader_with_an_unknown_time_zone_is_sent_on_utc() -> None:
    make_reader("nowhere@example.org", timezone="Mars/Olympus_Mons", send_hour=7)
    assert list(due_readers(now=at(2026, 4, 1, 7, 5))) == [("daily", dt.date(2026, 4, 1))]


MONDAY = dt.date(2026, 3, 2)


def weekly_reader(email: str, **fields):
    fields.setdefault("confirmed_at", at(2026, 2, 20))
    fields.setdefault("send_hour", 7)
    return make_reader(email, frequency="weekly", weekday=MONDAY.weekday(), **fields)


def test_a_weekly_edition_the_hourly_job_missed_is_still_sent_up_to_three_days_late() -> None:
    weekly_reader("ada@example.org")
    weekly_reader("late-signup@example.org", confirmed_at=at(2026, 3, 3, 8))  # after Monday
    weekly_reader("paused@example.org", status="paused", paused_until=dt.date(2026, 3, 3))
    sunday = at(2026, 3, 1, 23, 5)  # the last run before the outage

    # The hourly job was down all Monday; it runs again on Tuesday morning.
    due = due_readers(now=at(2026, 3, 3, 9, 5), last_run=sunday)
    assert list(due) == [("weekly", MONDAY)]
    assert Subscriber.objects.get(pk__in=due[("weekly", MONDAY)]).email == "ada@example.org"
    assert list(due_readers(now=at(2026, 3, 5, 23, 5), last_run=sunday)) == [("weekly", MONDAY)]
    assert due_readers(now=at(2026, 3, 6, 0, 5), last_run=sunday) == {}  # Friday: too late


def test_only_hours_the_job_actually_missed_are_caught_up() -> None:
    early = weekly_reader("six@example.org", send_hour=6)
    weekly_reader("seven@example.org", send_hour=7)
    weekly_reader("resumed@example.org")
    tuesday = at(2026, 3, 3, 9, 5)

    # Ran until 06:05 on Monday, then down until Tuesday: the 06:00 reader was handled then.
    due = due_readers(now=tuesday, last_run=at(2026, 3, 2, 6, 5))
    assert sorted(due[("weekly", MONDAY)]) == sorted(
        Subscriber.objects.exclude(pk=early.pk).values_list("pk", flat=True)
    )
    # The job ran all along: a reader who had no Monday row (say, paused over it and resumed
    # on Tuesday) is not sent Monday's edition late; nor is anyone without a known last run.
    assert due_readers(now=tuesday, last_run=at(2026, 3, 3, 8, 5)) == {}
    assert due_readers(now=tuesday) == {}


def test_a_late_weekly_goes_once_and_never_after_a_newer_weekly() -> None:
    ada = weekly_reader("ada@example.org")
    moved = weekly_reader("moved-to-monday@example.org")
    build_edition(frequency="weekly", date=MONDAY + dt.timedelta(days=1), readers=_only(moved))

    build_edition(frequency="weekly", date=MONDAY, readers=_only(ada))  # sent late on Tuesday

    assert due_readers(now=at(2026, 3, 4, 9, 5), last_run=at(2026, 3, 1, 23, 5)) == {}


def test_a_welcome_digest_does_not_count_as_this_weeks_weekly() -> None:
    ada = weekly_reader("ada@example.org")
    build_edition(frequency="weekly", date=MONDAY - dt.timedelta(days=7), readers=_only(ada))
    build_edition(frequency="welcome", date=MONDAY, readers=_only(ada))  # e.g. a new address

    assert due_readers(now=at(2026, 3, 2, 7, 5)) == {("weekly", MONDAY): [ada.pk]}


def _only(reader):
    return Subscriber.objects.filter(pk=reader.pk)
