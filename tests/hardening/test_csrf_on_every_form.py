"""Every form needs its CSRF token, except the RFC 8058 one-click endpoint, which must not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber
from subscriptions.tokens import confirmation_token, subscriber_token
from tests.subscriptions.helpers import make_reader, signup_data

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
MANAGE_ACTIONS = ["save", "pause", "resume", "change_email", "unsubscribe", "resubscribe", "undo"]


@pytest.fixture
def strict_client() -> Client:
    """A browser with no CSRF cookie or token: a forged cross-site POST."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")


def test_the_sign_up_form_needs_a_csrf_token(strict_client, smtp_server):
    response = strict_client.post(reverse("subscriptions:signup"), signup_data())

    assert response.status_code == 403
    assert not Subscriber.objects.exists()
    assert smtp_server.messages == []


def test_the_send_my_link_form_needs_a_csrf_token(strict_client, smtp_server):
    make_reader("ada@example.org")

    response = strict_client.post(reverse("subscriptions:send_link"), {"email": "ada@example.org"})

    assert response.status_code == 403
    assert smtp_server.messages == []


def test_the_confirm_button_needs_a_csrf_token(strict_client):
    reader = make_reader("ada@example.org", status=Status.PENDING)

    response = strict_client.post(
        reverse("subscriptions:confirm", args=[confirmation_token(reader)])
    )

    assert response.status_code == 403
    reader.refresh_from_db()
    assert reader.status == Status.PENDING


@pytest.mark.parametrize("action", MANAGE_ACTIONS)
def test_every_preferences_action_needs_a_csrf_token(strict_client, smtp_server, action):
    reader = make_reader("ada@example.org", interests="graphs")
    manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])
    before = Subscriber.objects.filter(pk=reader.pk).values().get()

    response = strict_client.post(
        manage,
        {
            "action": action,
            "prefs-interests": "changed",
            "until": "2099-01-01",
            "new_email": "other@example.org",
        },
    )

    assert response.status_code == 403
    assert Subscriber.objects.filter(pk=reader.pk).values().get() == before
    assert smtp_server.messages == []


def test_the_admin_login_needs_a_csrf_token(strict_client, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.org", "correct horse")

    response = strict_client.post(
        reverse("admin:login"), {"username": "admin", "password": "correct horse"}
    )

    assert response.status_code == 403


def test_the_one_click_unsubscribe_works_without_cookies_or_token(strict_client):
    reader = make_reader("ada@example.org")

    response = strict_client.post(
        reverse("subscriptions:unsubscribe", args=[subscriber_token("unsubscribe", reader)]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
