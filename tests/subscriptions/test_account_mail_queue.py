"""Account mail leaves from the `account` worker, never from the web request.

So every answer of /signup/ and /link/ costs the same whatever the address (the timing tells
nobody who subscribes), and the address's one-mail-per-window slot is taken by the task that
sends: released if sending fails, and claimable again by the same task redelivered after a
crash.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subscriptions import sending, tasks
from subscriptions.models import Subscriber
from tests.conftest import Inbox, free_port
from tests.delivery.factories import make_topic
from tests.processes import service_env, start_worker, stop_all, wait_for
from tests.subscriptions.helpers import make_reader, signup_data, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.account_mail_queued]
Status = Subscriber.Status
ADDRESSES = {
    "unknown": "nobody@example.org",
    "active": "active@example.org",
    "pending": "pending@example.org",
    "unsubscribed": "gone@example.org",
    "suppressed": "bounced@example.org",
}


@pytest.fixture
def readers() -> None:
    for kind, email in ADDRESSES.items():
        if kind != "unknown":
            make_reader(email, status=kind)


def answer(client: Client, path: str, data: dict, callbacks_fixture) -> tuple:
    """What a request costs: its status, its SQL and what it queues (run nothing)."""
    with (
        CaptureQueriesContext(connection) as queries,
        callbacks_fixture(execute=False) as queued,
    ):
        response = client.post(path, data)
    shape = tuple(
        re.sub(r'"s\d+_x\d+"', "SP", query["sql"]).split(" WHERE ")[0]
        for query in queries.captured_queries
    )
    return response.status_code, response.url, shape, len(queued)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("subscriptions:signup", signup_data),
        ("subscriptions:send_link", lambda email: {"email": email}),
    ],
)
def test_every_answer_costs_the_same_whatever_the_address(
    path, form, readers, smtp_server, django_capture_on_commit_callbacks
):
    client = Client()
    # The IP address's first submission of the hour creates its count row; count it first.
    answer(client, reverse(path), form("warm-up@example.org"), django_capture_on_commit_callbacks)
    answers = {
        kind: answer(client, reverse(path), form(email), django_capture_on_commit_callbacks)
        for kind, email in ADDRESSES.items()
    }

    assert len(set(answers.values())) == 1, answers
    status, _, _, queued = answers["unknown"]
    assert (status, queued) == (302, 1)
    assert smtp_server.messages == []  # nothing was sent by any request
    assert not Subscriber.objects.filter(confirmation_sent_at__isnull=False).exists()
    assert not Subscriber.objects.filter(email=ADDRESSES["unknown"]).exists()
    assert not Subscriber.objects.filter(email="warm-up@example.org").exists()


def test_the_task_that_sends_owns_the_slot_and_may_claim_it_again_after_a_crash(smtp_server):
    reader = make_reader("ada@example.org", status=Status.PENDING)
    # A first delivery of the task claimed the slot, then its worker was killed.
    assert sending.claim_mail_slot(reader, claim="task-1")

    other = tasks.send_manage_link.apply(kwargs={"email": reader.email}, task_id="task-2")
    redelivered = tasks.send_manage_link.apply(kwargs={"email": reader.email}, task_id="task-1")

    assert (other.result, redelivered.result) == (
        str(sending.Outcome.THROTTLED),
        str(sending.Outcome.CONFIRMATION_SENT),
    )
    assert len(smtp_server.to("ada@example.org")) == 1


@pytest.mark.postgres
@pytest.mark.redis
def test_the_account_worker_sends_what_the_request_queued(transactional_db, settings):
    """End to end: the request answers without mail; the `account` worker sends it."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    for slug in signup_data()["topics"]:  # an earlier transactional test emptied the seed
        make_topic(slug=slug, name=slug)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    workers: list[subprocess.Popen] = []
    try:
        workers.append(
            start_worker(service_env(smtp_port=smtp.port), "account", queues="account,celery")
        )
        response = Client().post(reverse("subscriptions:signup"), signup_data("ada@example.org"))
        assert response.status_code == 302
        assert inbox.messages == []

        wait_for(lambda: len(inbox.messages) == 1, timeout=60, what="the confirmation mail")
        assert "/confirm/" in text_of(inbox.messages[0])
        assert Subscriber.objects.get().account_mail_claim != ""
    finally:
        stop_all(workers)
        smtp.stop()
