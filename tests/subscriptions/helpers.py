from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage

import time_machine

from tests.factories import signed_up_reader as make_reader

__all__ = ["html_of", "link_in", "make_reader", "path_of", "pinned_time", "signup_data", "text_of"]


def pinned_time(moment: dt.datetime) -> time_machine.travel:
    """Every clock the code reads (timezone.now(), time.time() for signing) stopped at moment."""
    return time_machine.travel(moment, tick=False)


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
