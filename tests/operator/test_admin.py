"""Every admin list page opens for a superuser, searches use the indexed lookups, actions act."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from kombu import Connection

from digest.models import IngestRun, Source
from subscriptions.models import Subscriber
from tests import factories as f

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "subscriptions_subscriber",
    "subscriptions_topic",
    "subscriptions_feedback",
    "digest_paper",
    "digest_source",
    "digest_ingestrun",
    "digest_edition",
    "digest_delivery",
    "digest_sentpaper",
    "digest_emailevent",
]


@pytest.fixture
def ledger():
    robots = f.TopicFactory(slug="robot-learning")
    readers = [f.settled_reader(topics=[robots]) for _ in range(5)]
    today = f.make_edition()
    rows = [f.make_delivery(r, today) for r in readers[:4]]
    f.make_delivery(readers[4], today, status="failed", reason="550 mailbox unavailable")
    f.make_event(rows[0], "bounced")
    source = Source.objects.create(name="hf-daily", kind="hf-daily", url="https://hf.co/x")
    IngestRun.objects.create(source=source, label="hf-daily", status="ok", fetched=10, new=3)
    f.trending_paper()
    return readers


@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_list_page_opens(operator_client, ledger, model):
    response = operator_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


def test_the_reader_list_costs_the_same_queries_for_5_or_50_readers(operator_client, ledger):
    url = reverse("admin:subscriptions_subscriber_changelist")
    with CaptureQueriesContext(connection) as few:
        operator_client.get(url)
    for _ in range(45):
        f.settled_reader()
    with CaptureQueriesContext(connection) as many:
        operator_client.get(url)
    assert len(many) == len(few)


def test_the_delivery_list_costs_the_same_queries_for_5_or_50_rows(operator_client, ledger):
    url = reverse("admin:digest_delivery_changelist")
    with CaptureQueriesContext(connection) as few:
        operator_client.get(url)
    other = f.make_edition(frequency="weekly")
    for reader in ledger:
        for _ in range(1):
            f.make_delivery(reader, other)
    for _ in range(40):
        f.make_delivery(f.settled_reader(), other)
    with CaptureQueriesContext(connection) as many:
        operator_client.get(url)
    assert len(many) == len(few)


def test_reader_search_by_exact_address_ignores_case(operator_client):
    f.settled_reader("Jane.Doe@Example.org")
    f.settled_reader("jane.doe2@example.org")
    url = reverse("admin:subscriptions_subscriber_changelist")
    page = operator_client.get(url, {"q": "jane.doe@example.org"}).content.decode()
    assert "Jane.Doe@Example.org" in page
    assert "jane.doe2@example.org" not in page


def test_reader_search_by_prefix_finds_the_start_of_addresses_only(operator_client):
    f.settled_reader("alice@example.org")
    f.settled_reader("malice@example.org")
    url = reverse("admin:subscriptions_subscriber_changelist")
    page = operator_client.get(url, {"q": "ali"}).content.decode()
    assert "alice@example.org" in page
    assert "malice@example.org" not in page


def test_reader_list_filters_by_topic_without_duplicates(operator_client):
    robots, speech = (
        f.TopicFactory(slug="robot-learning"),
        f.TopicFactory(slug="speech", categories=["eess.AS"]),
    )
    f.settled_reader("both@example.org", topics=[robots, speech])
    f.settled_reader("speech@example.org", topics=[speech])
    url = reverse("admin:subscriptions_subscriber_changelist")
    response = operator_client.get(url, {"topic": robots.pk})
    assert [r.email for r in response.context["cl"].result_list] == ["both@example.org"]


def test_topics_list_counts_active_readers_and_recent_papers(operator_client):
    robots = f.TopicFactory(slug="robot-learning")
    f.settled_reader(topics=[robots])
    f.settled_reader(topics=[robots])
    f.settled_reader(topics=[robots], status="unsubscribed")
    f.trending_paper(categories=["cs.RO", "cs.LG"])
    f.trending_paper(categories=["cs.CL"])
    response = operator_client.get(reverse("admin:subscriptions_topic_changelist"))
    [topic] = [t for t in response.context["cl"].result_list if t.pk == robots.pk]
    assert topic.active_reader_count == 2
    assert topic.recent_paper_count == 1


def _act(client, model: str, action: str, ids: list[int]):
    return client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, "_selected_action": [str(i) for i in ids]},
    )


def test_confirm_action_activates_pending_readers_only(operator_client):
    pending = f.settled_reader(status="pending", confirmed_at=None)
    gone = f.settled_reader(status="unsubscribed")
    _act(operator_client, "subscriptions_subscriber", "confirm", [pending.pk, gone.pk])
    pending.refresh_from_db()
    gone.refresh_from_db()
    assert pending.status == "active" and pending.confirmed_at is not None
    assert gone.status == "unsubscribed"


def test_confirming_by_hand_announces_each_reader_after_commit(
    operator_client, django_capture_on_commit_callbacks, monkeypatch
):
    from digest import receivers
    from subscriptions.signals import reader_confirmed

    welcomed: list[int] = []
    monkeypatch.setattr(receivers, "enqueue_welcome_digest", welcomed.append)
    announced: list[int] = []

    def receiver(sender, subscriber_id: int, **kwargs) -> None:
        announced.append(subscriber_id)

    reader_confirmed.connect(receiver)
    try:
        pending = f.settled_reader(status="pending", confirmed_at=None)
        active = f.settled_reader()
        with django_capture_on_commit_callbacks(execute=True):
            _act(operator_client, "subscriptions_subscriber", "confirm", [pending.pk, active.pk])
    finally:
        reader_confirmed.disconnect(receiver)
    assert announced == [pending.pk]  # the already active reader is not welcomed twice
    assert welcomed == [pending.pk]


def test_suppress_and_unsuppress_actions_round_trip(operator_client, admin_user):
    reader = f.settled_reader()
    _act(operator_client, "subscriptions_subscriber", "suppress", [reader.pk])
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED
    assert reader.suppression_reason == f"by operator {admin_user.username}"
    _act(operator_client, "subscriptions_subscriber", "unsuppress", [reader.pk])
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE
    assert reader.suppression_reason == ""


def test_unsuppressing_a_never_confirmed_reader_leaves_them_pending(operator_client):
    reader = f.settled_reader(
        status="suppressed", confirmed_at=None, suppression_reason="complaint"
    )
    _act(operator_client, "subscriptions_subscriber", "unsuppress", [reader.pk])
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.PENDING


def test_preview_and_test_digest_actions_open_the_reader_pages(operator_client):
    reader = f.settled_reader()
    response = _act(operator_client, "subscriptions_subscriber", "preview_next_digest", [reader.pk])
    assert response["Location"] == reverse("ops:preview", args=[reader.pk])
    response = _act(operator_client, "subscriptions_subscriber", "send_test_digest", [reader.pk])
    assert response["Location"] == reverse("ops:send-test", args=[reader.pk])


def test_preview_action_asks_for_exactly_one_reader(operator_client):
    ids = [f.settled_reader().pk, f.settled_reader().pk]
    response = _act(operator_client, "subscriptions_subscriber", "preview_next_digest", ids)
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("admin:subscriptions_subscriber_changelist"))


def test_pause_and_enable_sources(operator_client):
    source = Source.objects.create(name="arxiv", kind="arxiv-listing", url="https://x.org/rss")
    _act(operator_client, "digest_source", "pause", [source.pk])
    source.refresh_from_db()
    assert not source.enabled
    _act(operator_client, "digest_source", "enable", [source.pk])
    source.refresh_from_db()
    assert source.enabled


def _queued_tasks(url: str, transport_options: dict) -> list[tuple[str, list]]:
    found = []
    with Connection(url, transport_options=transport_options) as broker:
        queue = broker.SimpleQueue("ingest")  # ingest has its own queue (task_routes)
        try:
            while True:
                message = queue.get(timeout=0.5)
                found.append((message.headers["task"], message.decode()[0]))
                message.ack()
        except queue.Empty:
            pass
        finally:
            queue.close()
    return found


def test_run_now_queues_an_ingest_task_on_the_real_broker_after_commit(
    operator_client, settings, django_capture_on_commit_callbacks
):
    source = Source.objects.create(name="hf-daily", kind="hf-daily", url="https://hf.co/x")
    broker = (settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    for key in ("data_folder_in", "processed_folder"):  # the embedded filesystem broker
        if key in broker[1]:
            Path(broker[1][key]).mkdir(parents=True, exist_ok=True)
    _queued_tasks(*broker)  # start from an empty queue
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _act(operator_client, "digest_source", "run_now", [source.pk])
    assert _queued_tasks(*broker) == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert _queued_tasks(*broker) == [("digest.ingest_source", [source.pk])]


def test_delivery_search_finds_by_address_or_message_id(operator_client, ledger):
    url = reverse("admin:digest_delivery_changelist")
    email = ledger[0].email
    response = operator_client.get(url, {"q": email.upper()})
    assert [d.subscriber.email for d in response.context["cl"].result_list] == [email]
    message_id = response.context["cl"].result_list[0].message_id
    response = operator_client.get(url, {"q": message_id})
    assert len(response.context["cl"].result_list) == 1


def test_delivery_page_shows_its_events_inline(operator_client, ledger):
    bounced = ledger[0].deliveries.get()
    page = operator_client.get(reverse("admin:digest_delivery_change", args=[bounced.pk]))
    assert "bounced" in page.content.decode()


def test_paper_page_shows_signal_history_and_readers_it_went_to(operator_client):
    paper = f.trending_paper()
    paper.snapshots.create(upvotes=3)
    paper.snapshots.create(upvotes=40)
    page = operator_client.get(reverse("admin:digest_paper_change", args=[paper.pk]))
    html = page.content.decode()
    assert "3 → 40 upvotes over 2 snapshot(s)" in html
    assert "0 reader(s)" in html


def test_reader_page_names_the_weekday(operator_client):
    reader = f.settled_reader(frequency="weekly", weekday=4)
    page = operator_client.get(reverse("admin:subscriptions_subscriber_change", args=[reader.pk]))
    assert '<option value="4" selected>Friday</option>' in page.content.decode()


def test_explain_page_names_the_weekday(operator_client):
    reader = f.settled_reader(frequency="weekly", weekday=4, send_hour=7, timezone="Europe/Berlin")
    page = operator_client.get(reverse("ops:reader"), {"email": reader.email}).content.decode()
    assert "weekly on Fridays at 07:00 Europe/Berlin" in page
    assert "weekday 4" not in page
