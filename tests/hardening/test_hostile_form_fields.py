"""Oversized and malformed fields on every form get a clear form error: never a 500, nothing
stored, no mail sent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber
from subscriptions.tokens import subscriber_token
from tests.subscriptions.helpers import make_reader, signup_data

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * (1024 * 1024)
SIGNUP = reverse("subscriptions:signup")
SEND_LINK = reverse("subscriptions:send_link")

# (field, hostile value, words the error message on the page contains)
HOSTILE_CHOICES = [
    ("interests", MEGABYTE, "at most 2000 characters"),
    ("exclusions", MEGABYTE, "at most 1000 characters"),
    ("interests", "robots\x00learning", "Null characters are not allowed"),
    ("exclusions", "sur\x00vey", "Null characters are not allowed"),
    ("timezone", "Mars/Olympus_Mons", "Select a valid choice"),
    ("timezone", "Europe/Berlin\x00", "Select a valid choice"),
    ("timezone", MEGABYTE, "Select a valid choice"),
    ("timezone", "../../etc/passwd", "Select a valid choice"),
    ("send_hour", "24", "Select a valid choice"),
    ("send_hour", "-1", "Select a valid choice"),
    ("send_hour", "7.5", "Select a valid choice"),
    ("weekday", "7", "Select a valid choice"),
    ("weekday", "monday", "Select a valid choice"),
    ("max_papers", "0", "greater than or equal to 1"),
    ("max_papers", "31", "less than or equal to 30"),
    ("max_papers", "-5", "greater than or equal to 1"),
    ("max_papers", "9" * 5000, "Enter a whole number"),
    ("max_papers", "1e3", "Enter a whole number"),
    ("max_papers", "NaN", "Enter a whole number"),
    ("frequency", "hourly", "Select a valid choice"),
    ("topics", ["no-such-topic"], "Select a valid choice"),
    ("topics", ["reinforcement-learning", "x\x00y"], "Null characters are not allowed"),
    ("topics", [MEGABYTE], "Select a valid choice"),
]
HOSTILE_ADDRESSES = [
    (MEGABYTE + "@example.org", "at most 254 characters"),
    ("ada\x00@example.org", "Null characters are not allowed"),
    ("ada@exam\x00ple.org", "Null characters are not allowed"),
    ("ada@", "Enter a valid email address"),
    ("@example.org", "Enter a valid email address"),
    ("ada@example.org\r\nBcc: victim@example.net", "Enter a valid email address"),
    ("a" * 250 + "@example.org", "at most 254 characters"),
]


def page_of(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(("field", "value", "error"), HOSTILE_CHOICES)
def test_a_hostile_choice_on_the_sign_up_form_is_a_form_error(
    client, smtp_server, field, value, error
):
    response = client.post(SIGNUP, signup_data("ada@example.org", **{field: value}))

    assert response.status_code == 400
    assert error in page_of(response)
    assert not Subscriber.objects.exists()
    assert smtp_server.messages == []


@pytest.mark.parametrize(("email", "error"), HOSTILE_ADDRESSES)
def test_a_hostile_address_on_the_sign_up_form_is_a_form_error(client, smtp_server, email, error):
    response = client.post(SIGNUP, signup_data(email))

    assert response.status_code == 400
    assert error in page_of(response)
    assert not Subscriber.objects.exists()
    assert smtp_server.messages == []


@pytest.mark.parametrize(("email", "error"), HOSTILE_ADDRESSES)
def test_a_hostile_address_on_the_send_my_link_form_is_a_form_error(
    client, smtp_server, email, error
):
    make_reader("ada@example.org")

    response = client.post(SEND_LINK, {"email": email})

    assert response.status_code == 200  # the form is shown again with its error
    assert error in page_of(response)
    assert smtp_server.messages == []


class TestThePreferencesCentre:
    @pytest.fixture
    def reader(self) -> Subscriber:
        return make_reader("ada@example.org", interests="graphs", max_papers=7)

    @pytest.fixture
    def manage(self, reader) -> str:
        return reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])

    @staticmethod
    def prefs(**overrides: object) -> dict:
        data = {f"prefs-{name}": value for name, value in signup_data().items()}
        data.update({f"prefs-{name}": value for name, value in overrides.items()})
        return {"action": "save", **data}

    @pytest.mark.parametrize(("field", "value", "error"), HOSTILE_CHOICES)
    def test_a_hostile_choice_is_a_form_error_and_changes_nothing(
        self, client, reader, manage, field, value, error
    ):
        response = client.post(manage, self.prefs(**{field: value}))

        assert response.status_code == 400
        assert error in page_of(response)
        reader.refresh_from_db()
        assert (reader.interests, reader.max_papers, reader.timezone) == ("graphs", 7, "UTC")

    @pytest.mark.parametrize(("email", "error"), HOSTILE_ADDRESSES)
    def test_a_hostile_new_address_is_a_form_error(
        self, client, reader, manage, smtp_server, email, error
    ):
        response = client.post(manage, {"action": "change_email", "new_email": email})

        assert response.status_code == 400
        assert error in page_of(response)
        reader.refresh_from_db()
        assert reader.pending_email == ""
        assert smtp_server.messages == []

    @pytest.mark.parametrize(
        ("until", "error"),
        [
            (MEGABYTE, "Enter a valid date"),
            ("2026-02-30", "Enter a valid date"),
            ("0000-01-01", "Enter a valid date"),
            ("9999-12-31", "within a year"),
            ("2001-01-01", "after today"),
            ("2030-01-01\x00", "Enter a valid date"),
        ],
    )
    def test_a_hostile_pause_date_is_a_form_error(self, client, reader, manage, until, error):
        response = client.post(manage, {"action": "pause", "until": until})

        assert response.status_code == 400
        assert error in page_of(response)
        reader.refresh_from_db()
        assert reader.status == Subscriber.Status.ACTIVE

    @pytest.mark.parametrize(
        "feedback_id", ["", "-1", "1e9", "9" * 5000, "1\x00", "\u00b2", "\u0661", MEGABYTE]
    )
    def test_a_hostile_feedback_id_removes_nothing(self, client, manage, feedback_id):
        response = client.post(manage, {"action": "undo", "feedback_id": feedback_id})

        assert response.status_code == 302

    def test_an_unknown_action_changes_nothing(self, client, reader, manage):
        response = client.post(manage, {"action": MEGABYTE})

        assert response.status_code == 400  # the page again, nothing done
        reader.refresh_from_db()
        assert reader.status == Subscriber.Status.ACTIVE


def test_a_body_over_the_upload_limit_is_a_bad_request_not_a_crash(client, settings):
    body = {
        "email": "ada@example.org",
        "interests": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    }

    response = client.post(SIGNUP, body)

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_thousands_of_fields_are_a_bad_request_not_a_crash(client, settings):
    body = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(SIGNUP, body)

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"topics": ["x\x00"], "interests": "robots"},
        {"interests": "a" * 5000, "max_papers": "9" * 5000},
        {"topics": ["no-such-topic"], "timezone": "Mars/Base", "send_hour": "99"},
    ],
)
def test_the_live_preview_and_home_page_survive_hostile_choices(query):
    client = Client()
    assert client.get(reverse("digest:preview"), query).status_code == 200
    assert client.get(reverse("digest:home"), {**query, "preview": "1"}).status_code == 200


@pytest.mark.parametrize("key", ["x\x00y", "a" * 5000, "%00", "..", "' OR 1=1 --"])
def test_a_hostile_feed_key_is_not_found(client, key):
    assert client.get(f"/feed/{key}.xml").status_code == 404
