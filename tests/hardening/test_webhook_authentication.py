"""Nobody but the ESP can suppress or unsubscribe a reader through the tracking webhook.

The URL exists only when an ESP is configured with an authenticated webhook; an event acts only
on the reader its recipient address names (metadata may narrow it to one delivery, never widen
it to another reader); forged, unauthenticated and replayed events change nothing.
"""

from __future__ import annotations

import base64
import json

import pytest

from digest.delivery.runs import send_edition
from digest.models import Delivery
from subscriptions.models import Subscriber
from subscriptions.services import resubscribe
from tests.conftest import WEBHOOK_SECRET, urls_built_with
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]  # tests/conftest.py
URL = "/anymail/postmark/tracking/"


def hard_bounce(*, email: str, delivery_id: int | str = "", event_id: int = 1) -> dict:
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": f"postmark-{event_id}",
        "Metadata": {"delivery": str(delivery_id)},
        "Email": email,
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account does not exist.",
        "BouncedAt": "2025-11-25T16:33:54Z",
        "Inactive": True,
    }


def post(client, payload: dict, *, auth: str | None = WEBHOOK_SECRET):
    headers = {}
    if auth is not None:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def statuses() -> dict[str, str]:
    return dict(Subscriber.objects.values_list("email", "status"))


@pytest.fixture
def readers(smtp_server) -> dict[str, Delivery]:
    """Three readers, each sent one digest (deliveries with sequential ids)."""
    robot_papers(2)
    topic = make_topic()
    for name in ("ada", "bob", "cy"):
        make_reader(f"{name}@example.org", topics=(topic,))
    send_edition(frequency="daily", date=DAY)
    return {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}


def test_no_tracking_url_is_mounted_when_mail_goes_over_smtp(
    client, django_capture_on_commit_callbacks
):
    make_reader("ada@example.org")
    with urls_built_with(EMAIL_BACKEND="digest.delivery.backends.SMTPBackend", ANYMAIL={}):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, hard_bounce(email="ada@example.org"), auth=None)
        other_esps = client.post("/anymail/mailgun/tracking/", {}).status_code

    assert (response.status_code, other_esps) == (404, 404)
    assert statuses() == {"ada@example.org": "active"}


def test_an_esp_without_a_webhook_secret_gets_no_tracking_url(
    client, django_capture_on_commit_callbacks
):
    make_reader("ada@example.org")
    with (
        urls_built_with(EMAIL_BACKEND="anymail.backends.postmark.EmailBackend", ANYMAIL={}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, hard_bounce(email="ada@example.org"), auth=None)

    assert response.status_code == 404
    assert statuses() == {"ada@example.org": "active"}


def test_only_the_configured_esps_tracking_url_is_mounted(client, postmark_webhook):
    assert post(client, {"RecordType": "Open"}, auth=None).status_code in (400, 403)
    assert client.post("/anymail/mailgun/tracking/", {}).status_code == 404
    assert client.post("/anymail/postmark/inbound/", {}).status_code == 404


def test_unauthenticated_and_forged_events_change_nothing(
    client, postmark_webhook, readers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        missing = post(client, hard_bounce(email="ada@example.org"), auth=None)
        forged = post(client, hard_bounce(email="ada@example.org"), auth="paperboy:guess")

    assert {missing.status_code, forged.status_code} <= {400, 403}
    assert set(statuses().values()) == {"active"}


def test_guessing_delivery_ids_in_metadata_reaches_no_reader(
    client, postmark_webhook, readers, django_capture_on_commit_callbacks
):
    """The old attack: a bounce for an unknown address whose metadata walks sequential ids."""
    ids = sorted(d.pk for d in readers.values())
    with django_capture_on_commit_callbacks(execute=True):
        for n, delivery_id in enumerate(range(ids[0] - 1, ids[-1] + 2)):
            post(
                client,
                hard_bounce(email="mallory@evil.example", delivery_id=delivery_id, event_id=n),
            )

    assert set(statuses().values()) == {"active"}


def test_metadata_naming_another_readers_delivery_only_affects_the_recipient(
    client, postmark_webhook, readers, django_capture_on_commit_callbacks
):
    bob = readers["bob@example.org"]
    ada = readers["ada@example.org"]
    Delivery.objects.filter(pk=ada.pk).update(message_id="ada-message")
    open_event = {
        "RecordType": "Open",
        "FirstOpen": True,
        "MessageID": "ada-message",
        "Recipient": "ada@example.org",
        "Metadata": {"delivery": str(bob.pk)},
        "ReceivedAt": "2025-11-25T08:00:00Z",
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(client, hard_bounce(email="ada@example.org", delivery_id=bob.pk, event_id=7))
        post(client, open_event)

    assert statuses() == {
        "ada@example.org": "suppressed",
        "bob@example.org": "active",
        "cy@example.org": "active",
    }
    opens = dict(Delivery.objects.values_list("subscriber__email", "opens"))
    assert opens == {"ada@example.org": 1, "bob@example.org": 0, "cy@example.org": 0}


def test_a_replayed_event_changes_nothing_after_the_reader_resubscribes(
    client, postmark_webhook, readers, django_capture_on_commit_callbacks
):
    change = {
        "RecordType": "SubscriptionChange",
        "MessageID": "bob-message",
        "ChangedAt": "2025-11-25T10:00:00Z",
        "Recipient": "bob@example.org",
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Metadata": {},
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, change).status_code == 200
    bob = Subscriber.objects.by_email("bob@example.org").get()
    assert bob.status == "unsubscribed"
    Subscriber.objects.filter(pk=bob.pk).update(confirmed_at=bob.created_at)
    assert resubscribe(subscriber_id=bob.pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, change).status_code == 200

    assert statuses()["bob@example.org"] == "active"
