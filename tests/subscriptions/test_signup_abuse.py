"""Subscription bombing: one mail per address per window, a per-IP limit, a honeypot, and no
visitor-typed text in the confirmation mail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subscriptions.models import Subscriber
from tests.subscriptions.helpers import html_of, pinned_time, signup_data, text_of

pytestmark = pytest.mark.django_db

SIGNUP = reverse("subscriptions:signup")


def from_ip(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def test_twenty_sign_ups_for_one_address_send_one_confirmation(smtp_server, settings):
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = 1000

    for attempt in range(20):
        response = from_ip(f"198.51.100.{attempt + 1}").post(
            SIGNUP, signup_data("victim@example.org")
        )
        assert response.status_code == 302

    assert len(smtp_server.to("victim@example.org")) == 1
    assert Subscriber.objects.by_email("victim@example.org").count() == 1


def test_the_same_address_in_other_letter_cases_is_the_same_reader(smtp_server):
    for email in ["Victim@Example.org", "victim@EXAMPLE.ORG", "Victim@example.org"]:
        Client(REMOTE_ADDR="198.51.100.1").post(SIGNUP, signup_data(email))

    assert len(smtp_server.messages) == 1
    assert Subscriber.objects.count() == 1


def test_a_second_confirmation_goes_out_once_the_window_has_passed(smtp_server, settings):
    start = timezone.now()
    with pinned_time(start):
        from_ip("198.51.100.1").post(SIGNUP, signup_data("slow@example.org"))
    with pinned_time(start + dt.timedelta(minutes=settings.CONFIRMATION_RESEND_WINDOW_MINUTES - 1)):
        from_ip("198.51.100.2").post(SIGNUP, signup_data("slow@example.org"))
    assert len(smtp_server.messages) == 1

    with pinned_time(start + dt.timedelta(minutes=settings.CONFIRMATION_RESEND_WINDOW_MINUTES + 1)):
        from_ip("198.51.100.3").post(SIGNUP, signup_data("slow@example.org"))

    assert len(smtp_server.messages) == 2


def test_too_many_sign_ups_from_one_ip_get_a_friendly_429(smtp_server, settings):
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = 5
    bot = from_ip("192.0.2.66")

    statuses = [
        bot.post(SIGNUP, signup_data(f"person{n}@example.org")).status_code for n in range(8)
    ]

    assert statuses == [302] * 5 + [429] * 3
    refused = bot.post(SIGNUP, signup_data("one-more@example.org"))
    assert "Slow down" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    assert len(smtp_server.messages) == 5
    assert not Subscriber.objects.by_email("one-more@example.org").exists()
    # Another network is not affected.
    assert from_ip("192.0.2.67").post(SIGNUP, signup_data("me@example.org")).status_code == 302


def test_the_send_me_my_link_form_shares_the_ip_limit(smtp_server, settings):
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = 2
    bot = from_ip("192.0.2.66")
    link = reverse("subscriptions:send_link")

    statuses = [bot.post(link, {"email": f"p{n}@example.org"}).status_code for n in range(3)]

    assert statuses == [302, 302, 429]


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client(smtp_server, settings):
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = from_ip("10.0.0.1")

    first = proxy.post(SIGNUP, signup_data("a@example.org"), HTTP_X_FORWARDED_FOR="192.0.2.1")
    other = proxy.post(SIGNUP, signup_data("b@example.org"), HTTP_X_FORWARDED_FOR="192.0.2.2")
    spoofed = proxy.post(
        SIGNUP, signup_data("c@example.org"), HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.1"
    )

    assert [first.status_code, other.status_code, spoofed.status_code] == [302, 302, 429]


def test_a_url_typed_in_the_form_never_appears_in_the_confirmation_mail(smtp_server):
    spam = "Win money at https://spam.example.com/claim now"
    data = signup_data("victim@example.org", interests=spam, exclusions="http://evil.example.net")

    from_ip("198.51.100.1").post(SIGNUP, data)

    (message,) = smtp_server.to("victim@example.org")
    whole = message.as_string() + text_of(message) + html_of(message)
    for typed in ["spam.example.com", "evil.example.net", "Win money", "offline RL"]:
        assert typed not in whole
    assert "/confirm/" in text_of(message)


def test_a_bot_filling_the_honeypot_sees_the_usual_page_and_nothing_happens(smtp_server):
    response = from_ip("198.51.100.1").post(
        SIGNUP, signup_data("victim@example.org", website="http://bot.example"), follow=True
    )

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert smtp_server.messages == []
    assert not Subscriber.objects.exists()


def test_a_sign_up_for_an_active_reader_changes_none_of_their_settings(smtp_server):
    from_ip("198.51.100.1").post(SIGNUP, signup_data("ada@example.org", interests="graphs"))
    reader = Subscriber.objects.get()
    reader.status = Subscriber.Status.ACTIVE
    reader.confirmation_sent_at = None
    reader.save()

    from_ip("198.51.100.2").post(
        SIGNUP, signup_data("ada@example.org", interests="spam", topics=["medical-ai"])
    )

    reader.refresh_from_db()
    assert reader.interests == "graphs"
    assert list(reader.topics.values_list("slug", flat=True)) != ["medical-ai"]
    # They get their preferences link instead of a confirmation.
    assert "/manage/" in text_of(smtp_server.messages[-1])


def test_an_invalid_form_is_shown_again_with_its_errors_and_sends_nothing(client, smtp_server):
    response = client.post(SIGNUP, signup_data("not-an-address", topics=[], interests=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address" in page
    assert "Pick at least one topic" in page
    assert smtp_server.messages == []


def test_a_refusing_mail_server_releases_the_window_so_a_retry_can_send(smtp_server):
    smtp_server.reply = "451 Try again later"
    failed = from_ip("198.51.100.1").post(SIGNUP, signup_data("ada@example.org"))
    # The visitor sees the usual page; the task failed every attempt and released the slot.
    assert failed.status_code == 302
    reader = Subscriber.objects.get()
    assert (reader.confirmation_sent_at, reader.account_mail_claim) == (None, "")

    smtp_server.reply = "250 OK"
    retried = from_ip("198.51.100.1").post(SIGNUP, signup_data("ada@example.org"))

    assert retried.status_code == 302
    assert len(smtp_server.to("ada@example.org")) == 1
