"""RFC 8058: the POST acts at once with no cookies and no CSRF token; a GET changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subscriptions.emails import Mail, render
from subscriptions.models import Subscriber
from subscriptions.tokens import confirmation_token, subscriber_token
from tests.subscriptions.helpers import make_reader, path_of

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def unsubscribe_path(reader: Subscriber, purpose: str = "unsubscribe") -> str:
    return reverse("subscriptions:unsubscribe", args=[subscriber_token(purpose, reader)])


def mailbox_provider() -> Client:
    """What Gmail or Yahoo sends: no cookies, no CSRF token, CSRF checks enforced."""
    return Client(enforce_csrf_checks=True)


def one_click(path: str):
    return mailbox_provider().post(
        path, data=ONE_CLICK_BODY, content_type="application/x-www-form-urlencoded"
    )


def test_the_one_click_post_unsubscribes_at_once_without_cookies_or_csrf_token():
    reader = make_reader()

    response = one_click(unsubscribe_path(reader))

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert reader.unsubscribed_at is not None


def test_the_header_in_a_real_digest_points_at_the_working_endpoint():
    reader = make_reader()
    # The header the mail helper puts on list mail, exactly as a mailbox provider reads it.
    message = render(
        Mail(kind="manage_link", to=reader.email, context={"manage_url": "x"}, subscriber=reader)
    )
    https_link = message.extra_headers["List-Unsubscribe"].split(",")[0].strip(" <>")

    one_click(path_of(https_link))

    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK_BODY
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED


def test_unsubscribing_twice_is_harmless_and_keeps_the_first_time():
    reader = make_reader()
    one_click(unsubscribe_path(reader))
    reader.refresh_from_db()
    first_time = reader.unsubscribed_at

    again = one_click(unsubscribe_path(reader))

    assert again.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert reader.unsubscribed_at == first_time


def test_a_get_of_the_link_changes_nothing_and_shows_a_button():
    reader = make_reader()

    response = mailbox_provider().get(unsubscribe_path(reader))

    assert response.status_code == 200
    assert '<button type="submit" class="button button-danger">Unsubscribe</button>' in (
        response.content.decode()
    )
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_a_head_request_changes_nothing_either():
    reader = make_reader()

    mailbox_provider().head(unsubscribe_path(reader))

    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_the_button_on_the_page_unsubscribes_too():
    reader = make_reader()
    browser = Client()
    browser.get(unsubscribe_path(reader))

    browser.post(unsubscribe_path(reader), {"List-Unsubscribe": "One-Click"})

    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED


def test_a_paused_reader_can_unsubscribe_in_one_click():
    reader = make_reader(status=Status.PAUSED)

    one_click(unsubscribe_path(reader))

    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert reader.paused_until is None


def test_a_suppressed_address_stays_suppressed():
    reader = make_reader(status=Status.SUPPRESSED)

    assert one_click(unsubscribe_path(reader)).status_code == 200

    reader.refresh_from_db()
    assert reader.status == Status.SUPPRESSED


@pytest.mark.parametrize("purpose", ["manage", "view", "feedback"])
def test_a_token_for_another_purpose_is_refused_with_a_friendly_page(purpose):
    reader = make_reader()

    response = one_click(unsubscribe_path(reader, purpose))

    assert response.status_code == 400
    assert "doesn't work any more" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_a_confirmation_token_is_refused():
    reader = make_reader()
    path = reverse("subscriptions:unsubscribe", args=[confirmation_token(reader)])

    assert one_click(path).status_code == 400
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_a_tampered_token_is_refused_and_unsubscribes_nobody():
    reader = make_reader()
    other = make_reader("other@example.org")
    token = subscriber_token("unsubscribe", reader)
    # Someone else's id under this reader's signature.
    signature = token.split(":", 1)[1]
    forged = subscriber_token("unsubscribe", other).split(":", 1)[0] + ":" + signature

    assert one_click(reverse("subscriptions:unsubscribe", args=[forged])).status_code == 400
    assert one_click(reverse("subscriptions:unsubscribe", args=[token + "x"])).status_code == 400
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Status.ACTIVE}


def test_the_page_after_unsubscribing_offers_resubscribe_and_pause_instead():
    reader = make_reader()

    page = Client().post(unsubscribe_path(reader), {"List-Unsubscribe": "One-Click"})

    text = page.content.decode()
    assert "Resubscribe" in text
    assert "Pause instead" in text


def test_resubscribe_from_that_page_brings_the_reader_straight_back():
    reader = make_reader()
    browser = Client()
    page = browser.post(unsubscribe_path(reader), {"List-Unsubscribe": "One-Click"})
    manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])
    assert manage in page.content.decode()
    browser.get(manage)  # sets the CSRF cookie as a browser would have

    browser.post(manage, {"action": "resubscribe"})

    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    assert reader.unsubscribed_at is None


def test_pause_instead_turns_the_unsubscribe_into_a_pause():
    reader = make_reader()
    Client().post(unsubscribe_path(reader), {"List-Unsubscribe": "One-Click"})
    manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])

    Client().post(manage, {"action": "pause", "until": "2999-01-01"})  # more than a year: refused
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED

    until = timezone.localdate() + dt.timedelta(days=30)
    Client().post(manage, {"action": "pause", "until": until.isoformat()})

    reader.refresh_from_db()
    assert reader.status == Status.PAUSED
    assert reader.paused_until == until
