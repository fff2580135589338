"""The signed preferences page: change everything, pause, resume, undo feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subscriptions import services
from subscriptions.models import Feedback, Subscriber
from subscriptions.tokens import subscriber_token
from tests.factories import PaperFactory
from tests.subscriptions.helpers import make_reader, pinned_time

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def manage_path(reader: Subscriber) -> str:
    return reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])


def prefs(**overrides: object) -> dict:
    data = {
        "action": "save",
        "prefs-topics": ["llm-reasoning", "agents-tool-use"],
        "prefs-interests": "small reasoning models",
        "prefs-exclusions": "medical",
        "prefs-frequency": "weekly",
        "prefs-weekday": "4",
        "prefs-send_hour": "18",
        "prefs-timezone": "America/New_York",
        "prefs-max_papers": "5",
    }
    data.update(overrides)
    return data


def test_the_page_shows_the_readers_settings_and_private_feed(settings):
    reader = make_reader(interests="offline RL")

    page = Client().get(manage_path(reader)).content.decode()

    assert "offline RL" in page
    assert 'value="reinforcement-learning"' in page
    assert f"{settings.SITE_URL}/feed/{reader.feed_key}.xml" in page


def test_a_reader_changes_everything_chosen_at_sign_up():
    reader = make_reader()

    response = Client().post(manage_path(reader), prefs(), follow=True)

    assert "Saved" in response.content.decode()
    reader.refresh_from_db()
    assert sorted(reader.topics.values_list("slug", flat=True)) == [
        "agents-tool-use",
        "llm-reasoning",
    ]
    assert (reader.interests, reader.exclusions) == ("small reasoning models", "medical")
    assert (reader.frequency, reader.weekday, reader.send_hour) == ("weekly", 4, 18)
    assert (reader.timezone, reader.max_papers) == ("America/New_York", 5)


def test_invalid_changes_are_refused_and_nothing_is_saved():
    reader = make_reader(interests="offline RL")

    response = Client().post(
        manage_path(reader), prefs(**{"prefs-timezone": "Mars/Olympus", "prefs-max_papers": "0"})
    )

    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.interests == "offline RL"


def test_the_page_needs_a_csrf_token_for_changes():
    reader = make_reader(interests="offline RL")

    response = Client(enforce_csrf_checks=True).post(manage_path(reader), prefs())

    assert response.status_code == 403
    reader.refresh_from_db()
    assert reader.interests == "offline RL"


def test_a_manage_token_for_a_deleted_reader_or_another_purpose_gets_the_friendly_page():
    reader = make_reader()
    unsubscribe_token = subscriber_token("unsubscribe", reader)

    assert (
        Client().get(reverse("subscriptions:manage", args=[unsubscribe_token])).status_code == 400
    )
    path = manage_path(reader)
    reader.delete()
    assert Client().get(path).status_code == 400


def test_pausing_until_a_date_stops_digests_until_that_day():
    today = dt.date(2026, 3, 2)
    reader = make_reader()
    with pinned_time(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        Client().post(manage_path(reader), {"action": "pause", "until": "2026-03-16"})

    reader.refresh_from_db()
    assert reader.status == Status.PAUSED
    assert reader.paused_until == dt.date(2026, 3, 16)
    receiving = Subscriber.objects.receiving
    assert reader not in receiving(today + dt.timedelta(days=13))
    assert reader in receiving(dt.date(2026, 3, 16))


def test_a_pause_date_in_the_past_is_refused():
    reader = make_reader()
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    response = Client().post(manage_path(reader), {"action": "pause", "until": yesterday})

    assert response.status_code == 400
    assert "after today" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_resuming_a_pause_restarts_digests_at_once():
    reader = make_reader(status=Status.PAUSED, paused_until=dt.date(2030, 1, 1))

    Client().post(manage_path(reader), {"action": "resume"})

    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    assert reader.paused_until is None


def test_unsubscribing_from_the_preferences_page_and_coming_back():
    reader = make_reader()
    browser = Client()

    browser.post(manage_path(reader), {"action": "unsubscribe"})
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert "Resubscribe" in browser.get(manage_path(reader)).content.decode()

    browser.post(manage_path(reader), {"action": "resubscribe"})
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_a_reader_who_never_confirmed_cannot_resubscribe_without_confirming():
    reader = make_reader(status=Status.PENDING)
    services.unsubscribe(subscriber_id=reader.pk)

    assert services.resubscribe(subscriber_id=reader.pk) is False
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED


def test_feedback_is_listed_and_can_be_undone_one_vote_at_a_time():
    reader = make_reader()
    other = make_reader("other@example.org")
    liked = Feedback.objects.create(
        subscriber=reader,
        paper=PaperFactory(arxiv_id="2501.00001", title="Scaling <b>RL</b>"),
        value=Feedback.MORE,
    )
    disliked = Feedback.objects.create(
        subscriber=reader,
        paper=PaperFactory(arxiv_id="2501.00002", title="A survey of surveys"),
        value=Feedback.LESS,
    )
    theirs = Feedback.objects.create(subscriber=other, paper=liked.paper, value=Feedback.LESS)

    page = Client().get(manage_path(reader)).content.decode()
    assert "Scaling &lt;b&gt;RL&lt;/b&gt;" in page  # paper titles are untrusted: escaped
    assert "A survey of surveys" in page

    Client().post(manage_path(reader), {"action": "undo", "feedback_id": str(disliked.pk)})
    Client().post(manage_path(reader), {"action": "undo", "feedback_id": str(theirs.pk)})

    assert set(Feedback.objects.values_list("pk", flat=True)) == {liked.pk, theirs.pk}
