"""python manage.py subscribe: add or update a reader from the shell; safe to run twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def run(*args: str) -> str:
    out = StringIO()
    call_command("subscribe", *args, stdout=out)
    return out.getvalue()


def test_confirmed_makes_an_active_reader_without_any_mail(smtp_server):
    output = run(
        "ada@example.org",
        "--topics",
        "llm-reasoning,agents-tool-use",
        "--interests",
        "small reasoning models",
        "--exclude",
        "medical",
        "--frequency",
        "weekly",
        "--confirmed",
    )

    reader = Subscriber.objects.get(email="ada@example.org")
    assert reader.status == Status.ACTIVE
    assert reader.confirmed_at is not None
    assert sorted(reader.topics.values_list("slug", flat=True)) == [
        "agents-tool-use",
        "llm-reasoning",
    ]
    assert (reader.interests, reader.exclusions, reader.frequency) == (
        "small reasoning models",
        "medical",
        "weekly",
    )
    assert smtp_server.messages == []
    assert "added ada@example.org: status=active" in output


def test_running_it_twice_keeps_one_reader_and_updates_only_what_is_given(smtp_server):
    run("ada@example.org", "--topics", "llm-reasoning", "--interests", "RL", "--confirmed")
    output = run("ADA@example.org", "--frequency", "weekly", "--confirmed")

    reader = Subscriber.objects.get()
    assert (reader.interests, reader.frequency) == ("RL", "weekly")
    assert list(reader.topics.values_list("slug", flat=True)) == ["llm-reasoning"]
    assert "updated" in output


def test_without_confirmed_the_reader_gets_one_confirmation_even_when_run_twice(smtp_server):
    run("bob@example.org", "--topics", "robot-learning")
    run("bob@example.org", "--topics", "robot-learning")

    assert Subscriber.objects.get().status == Status.PENDING
    assert len(smtp_server.to("bob@example.org")) == 1


def test_an_unknown_topic_is_an_error_naming_it():
    with pytest.raises(CommandError, match="no-such-topic"):
        run("ada@example.org", "--topics", "llm-reasoning,no-such-topic", "--confirmed")
    assert not Subscriber.objects.exists()
