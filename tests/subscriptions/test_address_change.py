"""Changing address: the new one is confirmed before any digest goes there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions import sending, services
from subscriptions.models import Subscriber
from subscriptions.tokens import subscriber_token
from tests.subscriptions.helpers import link_in, make_reader, path_of

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def manage_path(reader: Subscriber) -> str:
    return reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])


def test_a_new_address_gets_a_confirmation_and_the_old_one_keeps_the_digest(smtp_server):
    reader = make_reader("old@example.org")

    Client().post(manage_path(reader), {"action": "change_email", "new_email": "new@example.org"})

    reader.refresh_from_db()
    assert (reader.email, reader.pending_email) == ("old@example.org", "new@example.org")
    (message,) = smtp_server.to("new@example.org")
    assert smtp_server.to("old@example.org") == []

    confirm = path_of(link_in(message, "/confirm/"))
    assert Client().get(confirm).status_code == 200  # the button page; nothing changes yet
    reader.refresh_from_db()
    assert reader.email == "old@example.org"

    page = Client().post(confirm)

    assert "Address confirmed" in page.content.decode()
    reader.refresh_from_db()
    assert (reader.email, reader.pending_email, reader.status) == (
        "new@example.org",
        "",
        Status.ACTIVE,
    )
    assert Client().post(confirm).status_code == 400  # single use


def test_the_preferences_link_keeps_working_after_the_change(smtp_server):
    reader = make_reader("old@example.org")
    path = manage_path(reader)
    services.request_address_change(subscriber=reader, new_email="new@example.org")
    services.confirm(path_of(link_in(smtp_server.messages[0], "/confirm/")).split("/")[2])

    assert "new@example.org" in Client().get(path).content.decode()


def test_an_address_another_reader_uses_gets_no_mail_and_no_change(smtp_server):
    reader = make_reader("me@example.org")
    make_reader("taken@example.org")

    outcome = services.request_address_change(subscriber=reader, new_email="Taken@example.org")

    assert outcome == sending.Outcome.NOTHING_SENT
    assert smtp_server.messages == []
    reader.refresh_from_db()
    assert reader.pending_email == ""


def test_an_address_taken_between_request_and_confirmation_is_refused_kindly(smtp_server):
    reader = make_reader("me@example.org")
    services.request_address_change(subscriber=reader, new_email="new@example.org")
    confirm = path_of(link_in(smtp_server.messages[0], "/confirm/"))
    make_reader("new@example.org")

    response = Client().post(confirm)

    assert response.status_code == 409
    reader.refresh_from_db()
    assert reader.email == "me@example.org"


def test_repeated_change_requests_send_at_most_one_mail_per_window(smtp_server):
    reader = make_reader("me@example.org")
    for n in range(5):
        services.request_address_change(subscriber=reader, new_email=f"victim{n}@example.org")

    assert len(smtp_server.messages) == 1
