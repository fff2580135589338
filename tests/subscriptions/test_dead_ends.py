"""Every refusal says what happened and offers the way forward for that case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subscriptions.models import Subscriber
from subscriptions.tokens import confirmation_token, subscriber_token
from tests.subscriptions.helpers import make_reader, pinned_time, signup_data

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def confirm_path(token: str) -> str:
    return reverse("subscriptions:confirm", args=[token])


def test_a_confirmation_link_used_twice_says_already_subscribed_and_opens_the_preferences():
    reader = make_reader("new@example.org", status=Status.PENDING)
    token = confirmation_token(reader)
    Client().post(confirm_path(token))

    again = Client().get(confirm_path(token))

    page = again.content.decode()
    assert again.status_code == 400
    assert "You're already subscribed" in page
    assert reverse("subscriptions:manage", args=[subscriber_token("manage", reader)]) in page


def test_a_used_link_of_a_reader_who_then_unsubscribed_opens_nothing():
    reader = make_reader("new@example.org", status=Status.PENDING)
    token = confirmation_token(reader)
    Client().post(confirm_path(token))
    Subscriber.objects.filter(pk=reader.pk).update(status=Status.UNSUBSCRIBED)

    page = Client().get(confirm_path(token)).content.decode()

    assert "already subscribed" not in page
    assert "/manage/" not in page


def test_an_expired_confirmation_link_offers_a_new_sign_up_not_the_preferences_link():
    issued = timezone.now()
    with pinned_time(issued):
        reader = make_reader("new@example.org", status=Status.PENDING)
        token = confirmation_token(reader)
    later = issued + dt.timedelta(days=settings.CONFIRMATION_MAX_AGE_DAYS, seconds=1)

    with pinned_time(later):
        response = Client().get(confirm_path(token))

    page = response.content.decode()
    assert response.status_code == 400
    assert "has expired" in page
    assert "Sign up again" in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert reverse("subscriptions:send_link") not in main


def test_send_me_my_link_says_a_link_not_a_confirmation_and_explains_the_hourly_limit():
    response = Client().post(
        reverse("subscriptions:send_link"), {"email": "ada@example.org"}, follow=True
    )

    page = response.content.decode()
    assert "preferences link" in page
    assert "one such email per address per hour" in page
    assert "Click the link to confirm" not in page


def test_a_rate_limited_sign_up_keeps_what_was_typed_and_says_nothing_was_sent(settings):
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = 1
    client = Client()
    client.post(reverse("subscriptions:signup"), signup_data("one@example.org"))

    refused = client.post(reverse("subscriptions:signup"), signup_data("two@example.org"))

    page = refused.content.decode()
    assert refused.status_code == 429
    assert "nothing was sent" in page
    assert 'value="two@example.org"' in page
    assert "offline RL for manipulation" in page
