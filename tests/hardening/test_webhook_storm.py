"""A webhook storm: Postmark's retries and a busy hour delivering the same tracking events many
times, out of order and at once. Through anymail's real view on a live server, eight threads
POST 20 copies of each of 10 distinct events in shuffled order; each is processed as it comes
(the task runs eagerly in the request thread, so processing is concurrent too).

Each event is stored once, opens and clicks are counted once per event, and the readers' final
state is right whatever the order: a hard bounce arriving after the delivered event still
suppresses, a duplicated soft bounce counts once. A forged webhook and a replayed one change
nothing.

PostgreSQL only: the test database of the embedded default is an in-memory SQLite shared
between threads, which answers concurrent writers with "database table is locked".
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from digest.delivery.runs import send_edition
from digest.delivery.webhooks import process_email_event
from digest.models import Delivery, EmailEvent
from subscriptions.models import Subscriber
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.postgres

URL = "/anymail/postmark/tracking/"
SECRET = ("paperboy", "s3cret-webhook")
COPIES = 20
THREADS = 8


@pytest.fixture(autouse=True)
def webhook_secret(settings, postmark_webhook, eager_tasks):
    settings.SOFT_BOUNCE_LIMIT = 3


def deliveries(smtp_server) -> dict[str, Delivery]:
    robot_papers(2)
    topic = make_topic()
    make_reader("ada@example.org", topics=(topic,))
    make_reader("bob@example.org", topics=(topic,))
    send_edition(frequency="daily", date=DAY)
    sent = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    assert {d.status for d in sent.values()} == {"sent"}
    return sent


def events(ada: Delivery, bob: Delivery) -> list[dict]:
    """Ten distinct events: ada's delivery, three opens, two clicks and a hard bounce; bob's
    open and two soft bounces (under the limit of three)."""

    def base(delivery: Delivery) -> dict:
        return {
            "MessageID": delivery.message_id,
            "Recipient": delivery.subscriber.email,
            "Metadata": {"delivery": str(delivery.pk)},
            "MessageStream": "outbound",
            "Tag": "digest",
        }

    def bounce(delivery: Delivery, kind: str, event_id: int) -> dict:
        hard = kind == "HardBounce"
        return {
            **base(delivery),
            "RecordType": "Bounce",
            "ID": event_id,
            "Type": kind,
            "TypeCode": 1 if hard else 4096,
            "Email": delivery.subscriber.email,
            "Description": "The server was unable to deliver your message.",
            "Details": "smtp;550 5.1.1 No such user" if hard else "smtp;452 4.2.2 Mailbox full",
            "BouncedAt": f"2025-11-25T1{event_id % 10}:00:00Z",
            "Inactive": hard,
        }

    opens = [
        {
            **base(ada),
            "RecordType": "Open",
            "FirstOpen": i == 0,
            "ReceivedAt": f"2025-11-25T0{i + 7}:00:00Z",
        }
        for i in range(3)
    ]
    clicks = [
        {
            **base(ada),
            "RecordType": "Click",
            "OriginalLink": f"https://arxiv.org/abs/2511.0000{i}",
            "ReceivedAt": f"2025-11-25T09:0{i}:00Z",
        }
        for i in range(2)
    ]
    delivered = {
        **base(ada),
        "RecordType": "Delivery",
        "DeliveredAt": "2025-11-25T06:00:05Z",
        "Details": "Test delivery webhook details",
    }
    return [
        delivered,
        *opens,
        *clicks,
        bounce(ada, "HardBounce", 7001),
        {
            **base(bob),
            "RecordType": "Open",
            "FirstOpen": True,
            "ReceivedAt": "2025-11-25T07:30:00Z",
        },
        bounce(bob, "SoftBounce", 7002),
        bounce(bob, "SoftBounce", 7003),
    ]


def post(base_url: str, payload: dict, auth: tuple[str, str] = SECRET) -> int:
    return requests.post(base_url + URL, json=payload, auth=auth, timeout=30).status_code


def state() -> tuple:
    readers = Subscriber.objects.order_by("email").values_list(
        "email", "status", "soft_bounces", "suppression_reason"
    )
    counts = Delivery.objects.order_by("pk").values_list("pk", "opens", "clicks")
    return list(readers), list(counts), EmailEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_storm_of_duplicated_shuffled_concurrent_webhooks_counts_each_event_once(
    live_server, smtp_server
):
    sent = deliveries(smtp_server)
    ada, bob = sent["ada@example.org"], sent["bob@example.org"]
    distinct = events(ada, bob)
    storm = [payload for payload in distinct for _ in range(COPIES)]
    random.Random(COPIES).shuffle(storm)  # the same order every run: a failure can be replayed

    with ThreadPoolExecutor(THREADS) as pool:
        codes = list(pool.map(lambda payload: post(live_server.url, payload), storm))

    assert codes == [200] * len(storm)
    assert EmailEvent.objects.count() == len(distinct)
    assert not EmailEvent.objects.filter(processed_at__isnull=True).exists()
    ada.refresh_from_db()
    bob.refresh_from_db()
    assert (ada.opens, ada.clicks) == (3, 2)
    assert (bob.opens, bob.clicks) == (1, 0)
    ada_reader, bob_reader = ada.subscriber, bob.subscriber
    ada_reader.refresh_from_db()
    bob_reader.refresh_from_db()
    assert ada_reader.status == "suppressed"
    assert ada_reader.suppression_reason.startswith("hard bounce")
    assert (bob_reader.status, bob_reader.soft_bounces) == ("active", 2)

    # The processing task delivered again (a redelivered message, a retried task): no change.
    before = state()
    for event_pk in EmailEvent.objects.values_list("pk", flat=True):
        process_email_event(event_pk=event_pk)
    assert state() == before

    # A forged webhook (wrong or missing credentials) is refused and changes nothing.
    forged_bounce = {**distinct[-1], "ID": 7999, "Type": "HardBounce", "TypeCode": 1}
    assert post(live_server.url, forged_bounce, auth=("paperboy", "guess")) in (400, 403)
    assert requests.post(live_server.url + URL, json=forged_bounce, timeout=30).status_code in (
        400,
        403,
    )
    assert state() == before

    # A replay later (the same event ids, the same payloads) changes nothing either.
    assert post(live_server.url, distinct[-1]) == 200  # bob's soft bounce
    assert post(live_server.url, distinct[1]) == 200  # ada's first open
    assert state() == before
