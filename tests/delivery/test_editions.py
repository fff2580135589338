"""Who gets what in an edition: never a paper twice, the reader's own hour and time zone, and
the welcome digest on confirmation."""

from __future__ import annotations

import datetime as dt

import pytest

from digest import editions
from digest.delivery.runs import send_edition
from digest.editions import build_edition
from digest.models import Delivery
from digest.schedule import due_readers
from digest.tasks import send_due_digests
from subscriptions.signals import reader_confirmed
from tests.conftest import tasks_run_eagerly
from tests.delivery.factories import DAY, MORNING, make_paper, make_reader, make_topic

pytestmark = pytest.mark.django_db


def test_a_paper_sent_before_is_never_sent_again_even_as_a_new_arxiv_version(smtp_server):
    topic = make_topic()
    old = make_paper(
        "Robot manipulation v1", arxiv_id="2511.00001", canonical_id="2511.00001", version=1
    )
    make_reader("ada@example.org", topics=(topic,))
    send_edition(frequency="daily", date=DAY)
    # Ingestion merges v2 into the same canonical row and sees it again the next day.
    old.version, old.title = 2, "Robot manipulation (revised)"
    old.first_seen_at = MORNING + dt.timedelta(days=1)
    old.save()
    fresh = make_paper("Robot grasping", seen=MORNING + dt.timedelta(days=1))

    send_edition(frequency="daily", date=DAY + dt.timedelta(days=1))

    second = Delivery.objects.get(edition__date=DAY + dt.timedelta(days=1))
    assert [p["id"] for p in second.papers] == [fresh.canonical_id]
    assert len(smtp_server.messages) == 2


def test_readers_with_identical_profiles_are_matched_once(monkeypatch):
    topic = make_topic()
    make_paper("Robot learning at scale")
    for i in range(4):
        make_reader(f"same{i}@example.org", topics=(topic,))
    make_reader("own@example.org", interests="robot learning")
    calls = []

    def spy(papers, profiles, reference_papers, cap, embed=None):
        calls.append(len(profiles))
        return real(papers, profiles, reference_papers, cap, embed=embed)

    real = editions.match_profiles
    monkeypatch.setattr(editions, "match_profiles", spy)
    build_edition(frequency="daily", date=DAY)

    assert calls == [2]
    assert Delivery.objects.filter(status="pending").count() == 5


def test_a_build_racing_another_keeps_the_readers_it_first_saw(monkeypatch):
    """Two beats build at once: the other one's rows land between this build's queries."""
    topic = make_topic()
    make_paper("Robot learning at scale")
    first = make_reader("first@example.org", topics=(topic,))
    make_reader("second@example.org", topics=(topic,))
    real = editions.reader_profiles

    def other_build_lands_first(readers):
        profiles = real(readers)
        edition = editions._get_edition(frequency="daily", date=DAY)
        Delivery.objects.create(subscriber=first, edition=edition, papers=[])
        return profiles

    monkeypatch.setattr(editions, "reader_profiles", other_build_lands_first)
    build = build_edition(frequency="daily", date=DAY)

    assert build.created == 2  # both rows offered; the one taken is ignored as a conflict
    assert Delivery.objects.filter(subscriber=first).count() == 1
    assert Delivery.objects.get(subscriber__email="second@example.org").papers


def test_each_reader_is_due_at_their_own_hour_in_their_own_time_zone():
    make_reader("tokyo@example.org", timezone="Asia/Tokyo", send_hour=7)
    make_reader("berlin@example.org", timezone="Europe/Berlin", send_hour=7)
    make_reader("weekly@example.org", frequency="weekly", weekday=1, send_hour=7)  # Tuesdays

    # 00:30 UTC on Tuesday 25 Nov is 09:30 in Tokyo but 01:30 in Berlin.
    early_tuesday = dt.datetime(2025, 11, 25, 0, 30, tzinfo=dt.UTC)
    due = due_readers(now=early_tuesday)
    assert {key: len(ids) for key, ids in due.items()} == {("daily", DAY): 1}

    tuesday_morning = dt.datetime(2025, 11, 25, 7, 5, tzinfo=dt.UTC)
    due = due_readers(now=tuesday_morning)
    assert {key: len(ids) for key, ids in due.items()} == {
        ("daily", DAY): 2,  # Berlin (08:05) and Tokyo (16:05: still due, it has no row yet)
        ("weekly", DAY): 1,
    }


def run_hourly_twice(now: dt.datetime, capture_on_commit) -> None:
    """The hourly send_due_digests at `now` and an hour later, its tasks run eagerly."""
    with tasks_run_eagerly(), capture_on_commit(execute=True):
        send_due_digests(now=now.isoformat())
        send_due_digests(now=(now + dt.timedelta(hours=1)).isoformat())


def test_the_hourly_run_sends_due_readers_once(smtp_server, django_capture_on_commit_callbacks):
    make_paper("Robot learning at scale")
    make_reader("tokyo@example.org", topics=(make_topic(),), timezone="Asia/Tokyo", send_hour=7)
    tokyo_morning = dt.datetime(2025, 11, 24, 22, 30, tzinfo=dt.UTC)
    run_hourly_twice(tokyo_morning, django_capture_on_commit_callbacks)

    assert len(smtp_server.messages) == 1
    assert Delivery.objects.get().edition.date == DAY  # the reader's local date


def test_after_an_outage_on_their_day_weekly_readers_get_that_weeks_digest_once(
    smtp_server, django_capture_on_commit_callbacks
):
    make_paper("Robot learning at scale")
    make_reader(
        "weekly@example.org",
        topics=(make_topic(),),
        frequency="weekly",
        weekday=DAY.weekday(),
        send_hour=7,
        confirmed_at=MORNING - dt.timedelta(days=30),
    )
    # The job ran the evening before DAY, was down all of DAY, and is back the next morning.
    run_hourly_twice(MORNING - dt.timedelta(hours=9), django_capture_on_commit_callbacks)
    next_morning = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(9, 5), dt.UTC)
    run_hourly_twice(next_morning, django_capture_on_commit_callbacks)

    assert len(smtp_server.messages) == 1
    assert Delivery.objects.get().edition.date == DAY  # the edition of the day it was due


def test_the_hourly_run_still_sends_when_the_cache_is_away(
    smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    make_paper("Robot learning at scale")
    make_reader("ada@example.org", topics=(make_topic(),), send_hour=7)
    run_hourly_twice(MORNING + dt.timedelta(hours=3), django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 1  # only the catch-up of missed weeklies is given up


def test_confirming_sends_the_welcome_digest_after_commit(
    smtp_server, django_capture_on_commit_callbacks
):
    make_paper("Robot learning at scale", seen=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    reader = make_reader("new@example.org", topics=(make_topic(),))
    with tasks_run_eagerly():
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            reader_confirmed.send(sender=None, subscriber_id=reader.pk)
        assert smtp_server.messages == []
        for callback in callbacks:
            callback()

    [message] = smtp_server.messages
    assert message["Subject"] == "Welcome to Paperboy: Robot learning at scale"  # top title as hook
    assert Delivery.objects.get().edition.frequency == "welcome"
