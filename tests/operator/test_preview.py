"""Preview of a reader's next digest, and a test send of it to the operator over real SMTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from digest.models import Delivery, SentPaper
from digest.ops.preview import preview_next_digest, send_test_digest
from digest.schedule import next_edition_date
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday


def test_a_daily_reader_already_sent_today_is_previewed_for_tomorrow():
    reader = f.settled_reader()
    f.make_delivery(reader, f.make_edition(NOW.date()))
    assert next_edition_date(subscriber=reader, now=NOW) == NOW.date() + dt.timedelta(days=1)


def test_a_weekly_reader_is_previewed_for_their_weekday():
    reader = f.settled_reader(frequency="weekly", weekday=0)
    assert next_edition_date(subscriber=reader, now=NOW) == dt.date(2026, 11, 30)


def test_the_preview_never_offers_a_paper_already_sent():
    robots = f.make_topic("robot-learning")
    reader = f.settled_reader(topics=[robots])
    old = f.trending_paper("Robot learning from play")
    fresh = f.trending_paper("Robot learning at scale")
    delivery = f.make_delivery(reader, f.make_edition(dt.date(2020, 1, 1)))
    SentPaper.objects.create(subscriber=reader, paper=old, delivery=delivery)
    date = next_edition_date(subscriber=reader, now=timezone.now())
    assert [p["id"] for p in preview_next_digest(subscriber=reader, date=date)] == [
        fresh.canonical_id
    ]


def test_a_test_digest_reaches_the_operator_without_unsubscribe_headers(smtp_server):
    robots = f.make_topic("robot-learning")
    reader = f.settled_reader("reader@example.org", topics=[robots])
    f.trending_paper("Robot learning from play")
    message_id = send_test_digest(subscriber=reader, to="ops@paperboy.example")
    [message] = smtp_server.to("ops@paperboy.example")
    assert message["Message-ID"] == message_id
    assert "List-Unsubscribe" not in message
    assert "Robot learning from play" in message.get_body(("plain",)).get_content()
    assert smtp_server.to("reader@example.org") == []
    assert not Delivery.objects.exists()  # nothing recorded in the ledger


def test_the_send_test_page_sends_and_says_so(operator_client, smtp_server):
    reader = f.settled_reader(topics=[f.make_topic("robot-learning")])
    f.trending_paper("Robot learning from play")
    url = reverse("ops:send-test", args=[reader.pk])
    response = operator_client.post(url, {"to": "me@paperboy.example"}, follow=True)
    assert "Test digest sent to me@paperboy.example" in response.content.decode()
    assert len(smtp_server.to("me@paperboy.example")) == 1


def test_the_preview_page_lists_the_papers(operator_client):
    reader = f.settled_reader(topics=[f.make_topic("robot-learning")])
    f.trending_paper("Robot learning from play")
    page = operator_client.get(reverse("ops:preview", args=[reader.pk])).content.decode()
    assert "Robot learning from play" in page
