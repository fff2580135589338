"""The admin is behind a staff login, and repeated wrong passwords lock that username out from
that address for a while (django-axes, counted in the shared cache)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("operator", "op@example.org", PASSWORD)


def log_in(client: Client, password: str, username: str = "operator") -> int:
    response = client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})
    return response.status_code


def test_the_admin_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_reader_without_staff_status_cannot_enter(client, django_user_model):
    django_user_model.objects.create_user("reader", "r@example.org", PASSWORD)

    log_in(client, PASSWORD, username="reader")

    assert client.get("/admin/").status_code == 302


def test_the_right_password_logs_staff_in(client, staff):
    assert log_in(client, PASSWORD) == 302
    assert client.get("/admin/").status_code == 200


def test_repeated_wrong_passwords_lock_the_login_even_with_the_right_one(client, staff, settings):
    limit = settings.AXES_FAILURE_LIMIT
    attempts = [log_in(client, f"guess {n}") for n in range(limit)]

    assert attempts[: limit - 1] == [200] * (limit - 1)  # the form again, "please enter..."
    assert attempts[-1] == 429
    locked = client.post(LOGIN, {"username": "operator", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # not logged in


def test_the_lock_is_per_address_and_username(staff, settings, django_user_model):
    django_user_model.objects.create_superuser("colleague", "c@example.org", PASSWORD)
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, f"guess {n}")

    assert log_in(Client(REMOTE_ADDR="198.51.100.5"), PASSWORD) == 302  # same user, other network
    assert log_in(attacker, PASSWORD, username="colleague") == 302  # same network, other user


def test_the_lock_lifts_after_the_cool_off(staff, settings):
    # With Redis the count expires with the cool-off (a key TTL), so only real time lifts it.
    settings.AXES_COOLOFF_TIME = dt.timedelta(seconds=1)
    client = Client(REMOTE_ADDR="192.0.2.66")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess {n}")
    assert log_in(client, PASSWORD) == 429

    time.sleep(2.1)

    assert log_in(client, PASSWORD) == 302
