"""A sign-up for an address that already has a reader never rewrites that reader's choices.

The stranger's choices wait as pending and take effect only if the address owner confirms the
sign-up; Resubscribe (the owner's signed link) brings back the reader's own.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions import services
from subscriptions.choices import Choices
from subscriptions.models import Subscriber
from tests.subscriptions.helpers import link_in, make_reader, path_of, signup_data

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
OWN = {
    "interests": "offline RL",
    "exclusions": "",
    "frequency": "weekly",
    "weekday": 2,
    "send_hour": 9,
    "timezone": "Asia/Tokyo",
    "max_papers": 5,
}
STRANGER = signup_data(
    "back@example.org",
    topics=["llm-reasoning"],
    interests="crypto airdrops",
    exclusions="robots",
    timezone="America/Lima",
    frequency="daily",
    max_papers="20",
)


def choices(reader: Subscriber) -> tuple:
    reader.refresh_from_db()
    own = tuple(getattr(reader, name) for name in OWN)
    return own, sorted(reader.topics.values_list("slug", flat=True))


def sign_up_as_a_stranger() -> None:
    Client().post(reverse("subscriptions:signup"), STRANGER)


def test_a_sign_up_leaves_an_unsubscribed_readers_choices_and_resubscribe_restores_them(
    smtp_server,
):
    reader = make_reader("back@example.org", status=Status.UNSUBSCRIBED, **OWN)
    before = choices(reader)

    sign_up_as_a_stranger()

    assert choices(reader) == before
    assert reader.status == Status.UNSUBSCRIBED
    assert services.resubscribe(subscriber_id=reader.pk)
    assert choices(reader) == before
    assert (reader.status, reader.pending_choices) == (Status.ACTIVE, {})


def test_the_waiting_choices_apply_only_when_the_owner_confirms(smtp_server):
    reader = make_reader("back@example.org", status=Status.UNSUBSCRIBED, **OWN)

    sign_up_as_a_stranger()
    confirm = link_in(smtp_server.to("back@example.org")[0], "/confirm/")
    Client().post(path_of(confirm))

    (interests, _, frequency, _, _, timezone, max_papers), topics = choices(reader)
    assert reader.status == Status.ACTIVE
    assert (interests, frequency, timezone, max_papers) == (
        "crypto airdrops",
        "daily",
        "America/Lima",
        20,
    )
    assert topics == ["llm-reasoning"]
    assert reader.pending_choices == {}


def test_a_sign_up_never_changes_an_active_or_paused_readers_choices(smtp_server):
    active = make_reader("back@example.org", **OWN)
    before = choices(active)

    sign_up_as_a_stranger()

    assert choices(active) == before
    assert active.pending_choices == {}


def test_the_owners_own_save_replaces_choices_left_waiting(smtp_server):
    reader = make_reader("back@example.org", status=Status.UNSUBSCRIBED, **OWN)
    sign_up_as_a_stranger()
    reader.refresh_from_db()
    assert reader.pending_choices["interests"] == "crypto airdrops"

    services.update_preferences(subscriber=reader, choices=Choices(topic_ids=(), **OWN))

    reader.refresh_from_db()
    assert reader.pending_choices == {}
