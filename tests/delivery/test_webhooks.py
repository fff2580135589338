"""Postmark tracking webhooks through anymail's own view: authenticated, stored once, acted on."""

from __future__ import annotations

import base64
import json

import pytest

from digest.delivery.runs import send_edition
from digest.models import Delivery, EmailEvent
from subscriptions.models import Subscriber
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db
URL = "/anymail/postmark/tracking/"
POSTMARK_ID = "883953f4-6105-42a2-a16a-77a8eac79483"


@pytest.fixture(autouse=True)
def webhook_secret(postmark_webhook, eager_tasks):
    """The webhook's secret set, and its tasks run eagerly."""


@pytest.fixture
def sent(smtp_server) -> Delivery:
    robot_papers(2)
    make_reader("ada@example.org", topics=(make_topic(),))
    send_edition(frequency="daily", date=DAY)
    delivery = Delivery.objects.get(status="sent")
    Delivery.objects.filter(pk=delivery.pk).update(message_id=POSTMARK_ID)
    return delivery


def bounce(delivery: Delivery, kind: str = "HardBounce", event_id: int = 4323372036) -> dict:
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": event_id,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": "Hard bounce" if kind == "HardBounce" else "Soft bounce",
        "Tag": "digest",
        "MessageID": POSTMARK_ID,
        "Metadata": {
            "kind": "digest",
            "edition": str(delivery.edition_id),
            "delivery": str(delivery.pk),
        },
        "ServerID": 23,
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account does not exist."
        if kind == "HardBounce"
        else "smtp;452 4.2.2 Mailbox full",
        "Email": "ada@example.org",
        "From": "digest@paperboy.example",
        "BouncedAt": "2025-11-25T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": kind == "HardBounce",
        "CanActivate": True,
        "Subject": "2 trending papers in Robot learning — 25 Nov",
    }


def post(client, payload: dict, *, auth: str | None = "paperboy:s3cret-webhook", **extra):
    headers = {}
    if auth is not None:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def test_a_webhook_without_the_secret_is_refused_and_changes_nothing(
    client, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        missing = post(client, bounce(sent), auth=None)
        wrong = post(client, bounce(sent), auth="paperboy:guess")

    assert missing.status_code in (400, 403) and wrong.status_code in (400, 403)
    assert not EmailEvent.objects.exists()
    assert Subscriber.objects.get().status == "active"


def test_a_hard_bounce_suppresses_the_reader_and_the_next_edition_skips_them(
    client, sent, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, bounce(sent))

    assert response.status_code == 200
    reader = Subscriber.objects.get()
    assert reader.status == "suppressed"
    assert reader.suppression_reason.startswith("hard bounce")
    assert EmailEvent.objects.get().delivery == sent

    smtp_server.clear()
    robot_papers(2)
    send_edition(frequency="daily", date=DAY.replace(day=26))
    assert smtp_server.messages == []
    next_one = Delivery.objects.get(edition__date=DAY.replace(day=26))
    assert next_one.status == "skipped" and next_one.reason.startswith("suppressed")


def test_the_same_event_twice_is_counted_once(client, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, bounce(sent, "SoftBounce"))
        post(client, bounce(sent, "SoftBounce"))

    assert EmailEvent.objects.count() == 1
    reader = Subscriber.objects.get()
    assert (reader.soft_bounces, reader.status) == (1, "active")


def test_soft_bounces_suppress_at_the_limit(
    client, sent, settings, django_capture_on_commit_callbacks
):
    settings.SOFT_BOUNCE_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        post(client, bounce(sent, "SoftBounce", event_id=1))
        assert Subscriber.objects.get().status == "active"
        post(client, bounce(sent, "SoftBounce", event_id=2))

    reader = Subscriber.objects.get()
    assert (reader.soft_bounces, reader.status) == (2, "suppressed")


def test_opens_and_clicks_are_counted_on_the_delivery(
    client, sent, django_capture_on_commit_callbacks
):
    base = {
        "MessageID": POSTMARK_ID,
        "Recipient": "ada@example.org",
        "Metadata": {"delivery": str(sent.pk)},
        "MessageStream": "outbound",
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            {**base, "RecordType": "Open", "FirstOpen": True, "ReceivedAt": "2025-11-25T08:00:00Z"},
        )
        post(
            client,
            {
                **base,
                "RecordType": "Open",
                "FirstOpen": False,
                "ReceivedAt": "2025-11-25T09:00:00Z",
            },
        )
        post(
            client,
            {
                **base,
                "RecordType": "Click",
                "OriginalLink": "https://arxiv.org/abs/1",
                "ReceivedAt": "2025-11-25T09:01:00Z",
            },
        )

    sent.refresh_from_db()
    assert (sent.opens, sent.clicks) == (2, 1)


def test_a_complaint_suppresses_and_an_esp_unsubscribe_unsubscribes(
    client, sent, django_capture_on_commit_callbacks
):
    complaint = {**bounce(sent), "RecordType": "SpamComplaint", "Type": "SpamComplaint", "ID": 99}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, complaint)
    assert Subscriber.objects.get().suppression_reason == "spam complaint"

    other = make_reader("bob@example.org")
    change = {
        "RecordType": "SubscriptionChange",
        "MessageID": "other-id",
        "ServerID": 23,
        "MessageStream": "outbound",
        "ChangedAt": "2025-11-25T10:00:00Z",
        "Recipient": "bob@example.org",
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "digest",
        "Metadata": {},
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(client, change)
    other.refresh_from_db()
    assert other.status == "unsubscribed"
