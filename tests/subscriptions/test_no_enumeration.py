"""Sign-up and "send me my link" answer the same whether or not the address is known."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber
from tests.subscriptions.helpers import make_reader, signup_data, text_of

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def page_text(response) -> str:
    # The CSRF token differs per response; everything else must be identical.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_sign_up_shows_the_same_page_for_known_unknown_and_unsubscribed(smtp_server):
    make_reader("active@example.org")
    make_reader("gone@example.org", status=Status.UNSUBSCRIBED)
    make_reader("bounced@example.org", status=Status.SUPPRESSED)
    make_reader("waiting@example.org", status=Status.PENDING)

    answers = []
    for email in [
        "active@example.org",
        "gone@example.org",
        "bounced@example.org",
        "waiting@example.org",
        "nobody@example.org",
    ]:
        response = Client().post(reverse("subscriptions:signup"), signup_data(email), follow=True)
        answers.append((response.redirect_chain, response.status_code, page_text(response)))

    assert all(answer == answers[0] for answer in answers)
    assert "Check your inbox" in answers[0][2]


def test_send_me_my_link_shows_the_same_page_for_any_address(smtp_server):
    make_reader("active@example.org")
    answers = []
    for email in ["active@example.org", "nobody@example.org"]:
        response = Client().post(reverse("subscriptions:send_link"), {"email": email}, follow=True)
        answers.append((response.redirect_chain, page_text(response)))

    assert answers[0] == answers[1]
    # Only the known reader actually gets mail, and it is their preferences link.
    assert [str(m["To"]) for m in smtp_server.messages] == ["active@example.org"]
    assert "/manage/" in text_of(smtp_server.messages[0])


def test_send_me_my_link_to_an_unconfirmed_address_resends_the_confirmation(smtp_server):
    make_reader("waiting@example.org", status=Status.PENDING)

    Client().post(reverse("subscriptions:send_link"), {"email": "waiting@example.org"})

    assert "/confirm/" in text_of(smtp_server.messages[0])


def test_send_me_my_link_sends_nothing_to_a_suppressed_address(smtp_server):
    make_reader("bounced@example.org", status=Status.SUPPRESSED)

    Client().post(reverse("subscriptions:send_link"), {"email": "bounced@example.org"})

    assert smtp_server.messages == []


def test_an_unsubscribed_reader_signing_up_again_must_confirm_again(smtp_server):
    reader = make_reader("gone@example.org", status=Status.UNSUBSCRIBED)

    Client().post(reverse("subscriptions:signup"), signup_data("gone@example.org"))

    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert "/confirm/" in text_of(smtp_server.to("gone@example.org")[0])
