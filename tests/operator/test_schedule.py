"""The operator's "next edition" date and the hourly job's `due_readers` follow one rule.

Each case predicts the date with `next_edition_date`, then runs `due_readers` hour by hour from
the same moment, as the hourly job would, and checks that the first time the reader is due,
it is for exactly the predicted edition.
"""

from __future__ import annotations

import datetime as dt

import pytest

from digest.schedule import due_readers, next_edition_date
from tests import factories as f

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2027, 1, 6)
FRIDAY = dt.date(2027, 1, 8)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 5), tzinfo=dt.UTC)


def first_due(reader, start: dt.datetime) -> tuple[str, dt.date]:
    """The hourly job's first (frequency, date) for this reader, from `start` on."""
    for hour in range(24 * 15):
        for key, ids in due_readers(now=start + dt.timedelta(hours=hour)).items():
            if reader.pk in ids:
                return key
    raise AssertionError("never due in 15 days")


def agree(reader, now: dt.datetime) -> dt.date:
    predicted = next_edition_date(subscriber=reader, now=now)
    assert first_due(reader, now) == (reader.frequency, predicted)
    return predicted


def test_daily_before_the_hour_is_today():
    reader = f.settled_reader(send_hour=7)
    assert agree(reader, at(WEDNESDAY, 5)) == WEDNESDAY


def test_daily_already_sent_today_is_tomorrow():
    reader = f.settled_reader(send_hour=7)
    f.make_delivery(reader, f.make_edition(WEDNESDAY))
    assert agree(reader, at(WEDNESDAY, 12)) == WEDNESDAY + dt.timedelta(days=1)


def test_weekly_is_their_weekday():
    reader = f.settled_reader(frequency="weekly", weekday=FRIDAY.weekday(), send_hour=9)
    assert agree(reader, at(WEDNESDAY, 12)) == FRIDAY


def test_weekly_already_sent_this_week_is_next_week():
    reader = f.settled_reader(frequency="weekly", weekday=FRIDAY.weekday(), send_hour=9)
    f.make_delivery(reader, f.make_edition(FRIDAY, frequency="weekly"))
    assert agree(reader, at(FRIDAY, 12)) == FRIDAY + dt.timedelta(days=7)


def test_a_zone_west_of_utc_counts_its_own_date():
    # 05:05 UTC on Thursday is 21:05 on Wednesday in Los Angeles: the reader's Wednesday
    # edition, at their 22:00, is still to come (a UTC date would say Thursday).
    reader = f.settled_reader(
        frequency="weekly",
        weekday=WEDNESDAY.weekday(),
        send_hour=22,
        timezone="America/Los_Angeles",
    )
    thursday_utc = at(WEDNESDAY + dt.timedelta(days=1), 5)
    assert agree(reader, thursday_utc) == WEDNESDAY


def test_a_daily_reader_west_of_utc_after_their_hour():
    reader = f.settled_reader(send_hour=7, timezone="America/Los_Angeles")
    f.make_delivery(reader, f.make_edition(WEDNESDAY))
    assert agree(reader, at(WEDNESDAY + dt.timedelta(days=1), 5)) == dt.date(2027, 1, 7)


def test_a_pause_moves_the_next_edition_to_its_end():
    end = WEDNESDAY + dt.timedelta(days=3)
    reader = f.settled_reader(status="paused", paused_until=end, send_hour=7)
    assert agree(reader, at(WEDNESDAY, 12)) == end


def test_a_pause_ending_in_a_zone_east_of_utc():
    # 20:05 UTC on Wednesday is 07:05 on Thursday in Auckland, the day the pause ends.
    thursday = WEDNESDAY + dt.timedelta(days=1)
    reader = f.settled_reader(
        status="paused", paused_until=thursday, send_hour=7, timezone="Pacific/Auckland"
    )
    now = at(WEDNESDAY, 20)
    assert next_edition_date(subscriber=reader, now=now) == thursday
    assert due_readers(now=now) == {("daily", thursday): [reader.pk]}
