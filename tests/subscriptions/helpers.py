from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from unittest import mock

from django.utils import timezone

from subscriptions.models import Subscriber, Topic


@contextmanager
def pinned_time(moment: dt.datetime) -> Iterator[None]:
    """Pin both clocks the code reads: Django's timezone.now() and time.time() (signing)."""
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch("time.time", return_value=moment.timestamp()),
    ):
        yield


def signup_data(email: str = "ada@example.org", **overrides: object) -> dict:
    data = {
        "email": email,
        "topics": ["reinforcement-learning", "robot-learning"],
        "interests": "offline RL for manipulation",
        "exclusions": "survey",
        "frequency": "daily",
        "weekday": "0",
        "send_hour": "7",
        "timezone": "Europe/Berlin",
        "max_papers": "10",
        "website": "",
    }
    data.update(overrides)
    return data


def make_reader(
    email: str = "reader@example.org", *, status: str = Subscriber.Status.ACTIVE, **fields: object
) -> Subscriber:
    confirmed = None if status == Subscriber.Status.PENDING else timezone.now()
    subscriber = Subscriber.objects.create(
        email=email, status=status, confirmed_at=confirmed, **fields
    )
    subscriber.topics.set(Topic.objects.filter(slug="reinforcement-learning"))
    return subscriber


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def link_in(message: EmailMessage, path_prefix: str) -> str:
    """The first absolute link in the plain-text part whose path starts with path_prefix."""
    match = re.search(rf"https?://[^\s/]+({re.escape(path_prefix)}[^\s]*)", text_of(message))
    assert match, f"no {path_prefix} link in:\n{text_of(message)}"
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)
