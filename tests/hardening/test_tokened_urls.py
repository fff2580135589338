"""Every URL carrying a signed token refuses a tampered, expired or other-purpose token with the
friendly page, and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from subscriptions.models import Subscriber
from subscriptions.tokens import SALTS, confirmation_token, make_token, subscriber_token
from tests.subscriptions.helpers import make_reader, pinned_time

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
# URL name -> the one purpose whose tokens it accepts
TOKENED_URLS = {
    "subscriptions:confirm": "confirm",
    "subscriptions:manage": "manage",
    "subscriptions:unsubscribe": "unsubscribe",
}


def token_for(purpose: str, reader: Subscriber) -> str:
    if purpose == "confirm":
        return confirmation_token(reader)
    return subscriber_token(purpose, reader)


def flip_one_character(token: str, position: int) -> str:
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


def assert_refused_and_nothing_changed(client, url: str, reader: Subscriber) -> None:
    before = Subscriber.objects.filter(pk=reader.pk).values().get()
    for response in (client.get(url), client.post(url, {"action": "unsubscribe"})):
        assert response.status_code == 400, url
        assert "doesn't work any more" in response.content.decode()
    assert Subscriber.objects.filter(pk=reader.pk).values().get() == before


@pytest.mark.parametrize("name", TOKENED_URLS)
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_tampered_token_is_refused(client, name, where):
    reader = make_reader("ada@example.org", status=Status.PENDING)
    token = token_for(TOKENED_URLS[name], reader)
    position = {"start": 1, "middle": len(token) // 2, "end": len(token) - 1}[where]

    url = reverse(name, args=[flip_one_character(token, position)])

    assert_refused_and_nothing_changed(client, url, reader)


@pytest.mark.parametrize(
    ("name", "other_purpose"),
    [(name, other) for name, own in TOKENED_URLS.items() for other in SALTS if other != own],
)
def test_a_token_of_another_purpose_is_refused(client, name, other_purpose):
    reader = make_reader("ada@example.org", status=Status.PENDING)

    url = reverse(name, args=[token_for(other_purpose, reader)])

    assert_refused_and_nothing_changed(client, url, reader)


@pytest.mark.parametrize("name", TOKENED_URLS)
def test_a_token_signed_with_another_key_is_refused(client, name, settings):
    reader = make_reader("ada@example.org", status=Status.PENDING)
    settings.SECRET_KEY = "an-attacker-guessed-key-" + "x" * 40
    forged = token_for(TOKENED_URLS[name], reader)
    settings.SECRET_KEY = "the-real-key-" + "y" * 50

    assert_refused_and_nothing_changed(client, reverse(name, args=[forged]), reader)


@pytest.mark.parametrize("name", TOKENED_URLS)
@pytest.mark.parametrize("value", ["not-a-number", [1, 2, 3], None, {"id": 1}, 2**70, -1, 1.5, ""])
def test_a_genuinely_signed_but_malformed_value_is_refused(client, name, value):
    reader = make_reader("ada@example.org", status=Status.PENDING)

    url = reverse(name, args=[make_token(TOKENED_URLS[name], value)])

    assert_refused_and_nothing_changed(client, url, reader)


def test_an_expired_confirmation_link_is_refused_but_manage_links_do_not_expire(client):
    issued = timezone.now()
    with pinned_time(issued):
        reader = make_reader("ada@example.org", status=Status.PENDING)
        confirm = reverse("subscriptions:confirm", args=[confirmation_token(reader)])
        manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])

    later = issued + dt.timedelta(days=settings.CONFIRMATION_MAX_AGE_DAYS, seconds=1)
    with pinned_time(later):
        assert_refused_and_nothing_changed(client, confirm, reader)
        assert client.get(manage).status_code == 200


@pytest.mark.parametrize("name", TOKENED_URLS)
@pytest.mark.parametrize("garbage", ["x\x00y", "a" * 10_000, "..", "%", "é:1:ø", "::::"])
def test_garbage_tokens_get_the_friendly_page(client, name, garbage):
    reader = make_reader("ada@example.org", status=Status.PENDING)

    assert_refused_and_nothing_changed(client, reverse(name, args=[garbage]), reader)
