"""With Redis unreachable, sign-up, "send my link" and the admin login keep working.

Their counters (the per-IP limit, django-axes) live in the database; account mail that cannot
be queued is sent in the request, with a warning. Redis here is a port nobody listens on.
"""

from __future__ import annotations

import logging

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.test import Client
from django.urls import reverse

from config.celery import app
from tests.conftest import free_port
from tests.subscriptions.helpers import make_reader, signup_data

pytestmark = pytest.mark.django_db
LIMIT = 3


@pytest.fixture
def cache_away(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = LIMIT
    AxesProxyHandler.get_implementation(force=True)


@pytest.fixture
def broker_away():
    """The Celery app publishing to a Redis that does not answer."""
    previous = app.conf.CELERY_BROKER_URL

    def connect_to(url: str) -> None:  # drop the pooled connections made for the old URL
        app.conf.CELERY_BROKER_URL = url  # the namespaced key: it shadows broker_url
        app._pool = None
        app.amqp._producer_pool = None

    connect_to(f"redis://127.0.0.1:{free_port()}/0")
    try:
        yield
    finally:
        connect_to(previous)


def test_sign_up_and_its_limit_keep_working_with_the_cache_away(cache_away, smtp_server):
    browser = Client(REMOTE_ADDR="198.51.100.20")
    codes = [
        browser.post(reverse("subscriptions:signup"), signup_data(f"r{n}@example.org"))
        for n in range(LIMIT + 1)
    ]

    assert [response.status_code for response in codes] == [302] * LIMIT + [429]
    assert len(smtp_server.messages) == LIMIT


def test_send_my_link_keeps_working_with_the_cache_away(cache_away, smtp_server):
    make_reader("ada@example.org")

    response = Client().post(reverse("subscriptions:send_link"), {"email": "ada@example.org"})

    assert response.status_code == 302
    assert len(smtp_server.to("ada@example.org")) == 1


def test_the_admin_login_keeps_working_with_the_cache_away(cache_away, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("operator", "op@example.org", "right")
    browser = Client()

    wrong = browser.post(reverse("admin:login"), {"username": "operator", "password": "wrong"})
    right = browser.post(
        reverse("admin:login"), {"username": "operator", "password": "right", "next": "/admin/"}
    )

    assert (wrong.status_code, right.status_code) == (200, 302)
    assert browser.get("/admin/").status_code == 200


@pytest.mark.account_mail_queued
@pytest.mark.redis
def test_account_mail_is_sent_in_the_request_when_it_cannot_be_queued(
    broker_away, smtp_server, caplog, django_capture_on_commit_callbacks
):
    make_reader("ada@example.org")

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("subscriptions:send_link"), {"email": "ada@example.org"})

    assert response.status_code == 302
    assert len(smtp_server.to("ada@example.org")) == 1
    assert "broker unavailable" in caplog.text
