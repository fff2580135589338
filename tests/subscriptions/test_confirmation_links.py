"""A confirmation link works once, expires, and works for nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from subscriptions import services
from subscriptions.models import Subscriber
from subscriptions.signals import reader_confirmed
from subscriptions.tokens import InvalidToken, confirmation_token, subscriber_token
from tests.subscriptions.helpers import make_reader, pinned_time

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def confirm_path(token: str) -> str:
    return reverse("subscriptions:confirm", args=[token])


def test_a_fresh_link_confirms_the_reader_once(client):
    reader = make_reader("new@example.org", status=Status.PENDING)
    token = confirmation_token(reader)

    response = client.post(confirm_path(token))

    assert response.status_code == 200
    assert "You're subscribed" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    assert reader.confirmed_at is not None


def test_a_used_link_is_refused_with_a_friendly_page(client):
    reader = make_reader("new@example.org", status=Status.PENDING)
    token = confirmation_token(reader)
    client.post(confirm_path(token))

    again = client.post(confirm_path(token))

    assert again.status_code == 400
    assert "doesn't work any more" in again.content.decode()
    with pytest.raises(InvalidToken):
        services.confirm(token)


def test_a_link_older_than_its_lifetime_is_refused(client):
    issued = timezone.now()
    with pinned_time(issued):
        reader = make_reader("new@example.org", status=Status.PENDING)
        token = confirmation_token(reader)
    lifetime = dt.timedelta(days=settings.CONFIRMATION_MAX_AGE_DAYS)

    with pinned_time(issued + lifetime - dt.timedelta(minutes=1)):
        assert services.subscriber_for_confirmation(token) == reader
    with pinned_time(issued + lifetime + dt.timedelta(seconds=1)):
        response = client.post(confirm_path(token))

    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.status == Status.PENDING


@pytest.mark.parametrize("purpose", ["manage", "unsubscribe", "view", "feedback"])
def test_a_token_made_for_another_purpose_does_not_confirm(client, purpose):
    reader = make_reader("new@example.org", status=Status.PENDING)

    response = client.post(confirm_path(subscriber_token(purpose, reader)))

    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.status == Status.PENDING


def test_a_tampered_link_is_refused(client):
    reader = make_reader("new@example.org", status=Status.PENDING)
    token = confirmation_token(reader)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    response = client.post(confirm_path(tampered))

    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.status == Status.PENDING


def test_a_confirmation_token_does_not_work_as_a_manage_or_unsubscribe_link(client):
    reader = make_reader("reader@example.org")
    token = confirmation_token(reader)

    manage = client.get(reverse("subscriptions:manage", args=[token]))
    unsubscribe = client.post(reverse("subscriptions:unsubscribe", args=[token]))

    assert manage.status_code == 400
    assert unsubscribe.status_code == 400
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_opening_the_link_only_shows_a_button_so_link_scanners_confirm_nothing(client):
    reader = make_reader("new@example.org", status=Status.PENDING)

    response = client.get(confirm_path(confirmation_token(reader)))

    assert response.status_code == 200
    assert b"Confirm my subscription" in response.content
    reader.refresh_from_db()
    assert reader.status == Status.PENDING


def test_garbage_in_the_link_gets_the_friendly_page_not_an_error(client):
    for token in ["x", "not-a-token", "a" * 400, "eyJ.abc:def"]:
        assert client.get(confirm_path(token)).status_code == 400
        assert client.post(confirm_path(token)).status_code == 400


def test_a_link_for_a_purged_sign_up_is_refused(client):
    reader = make_reader("new@example.org", status=Status.PENDING)
    token = confirmation_token(reader)
    reader.delete()

    assert client.post(confirm_path(token)).status_code == 400


def test_confirming_announces_the_new_reader_after_the_commit(django_capture_on_commit_callbacks):
    reader = make_reader("new@example.org", status=Status.PENDING)
    received: list[int] = []

    def receiver(sender, subscriber_id, **kwargs):
        received.append(subscriber_id)

    reader_confirmed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.confirm(confirmation_token(reader))
        assert received == []  # nothing is announced before the transaction commits
        for callback in callbacks:
            callback()
    finally:
        reader_confirmed.disconnect(receiver)

    assert received == [reader.pk]


def test_an_unsubscribed_reader_can_confirm_a_new_sign_up():
    reader = make_reader("back@example.org", status=Status.UNSUBSCRIBED)

    services.confirm(confirmation_token(reader))

    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    assert reader.unsubscribed_at is None


def test_a_suppressed_address_cannot_be_confirmed_back_into_mail():
    reader = make_reader("bounced@example.org", status=Status.SUPPRESSED)

    with pytest.raises(InvalidToken):
        services.confirm(confirmation_token(reader))
