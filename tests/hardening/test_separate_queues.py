"""Ingest, sending and account mail have their own Celery queues: a stuck ingest cannot delay an
edition. Real workers started as README's production section says (one per queue), real
Redis, PostgreSQL and SMTP; two sources that never answer hold the ingest worker."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from aiosmtpd.controller import Controller

from config.celery import app
from digest.editions import build_edition
from digest.models import Delivery, IngestRun, Source
from digest.tasks import enqueue_pending, ingest_source
from tests.conftest import Inbox, free_port
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.ingest.factories import make_source
from tests.processes import service_env, start_worker, stop_all, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
READERS = 40


class Stuck(BaseHTTPRequestHandler):
    """Accepts the request and answers nothing until released."""

    release = threading.Event()
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.release.wait(120)
        self.send_response(503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stuck_host() -> Iterator[str]:
    handler = type("StuckHere", (Stuck,), {"release": threading.Event(), "hits": 0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield httpd, handler
    finally:
        handler.release.set()
        httpd.shutdown()
        httpd.server_close()


def test_every_task_goes_to_its_own_queue():
    queue_of = {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in (
            "digest.ingest_source",
            "digest.ingest_all_sources",
            "digest.recompute_trending",
            "digest.send_batch",
            "digest.send_due_digests",
            "digest.send_welcome_digest",
            "subscriptions.sign_up",
            "subscriptions.send_manage_link",
            "subscriptions.change_address",
            "subscriptions.purge_stale_signups",
            "digest.process_email_event",
            "digest.recover_deliveries",
            "digest.close_stale_ingest_runs",
        )
    }
    assert queue_of == {
        "digest.ingest_source": "ingest",
        "digest.ingest_all_sources": "ingest",
        "digest.recompute_trending": "ingest",
        "digest.send_batch": "send",
        "digest.send_due_digests": "send",
        "digest.send_welcome_digest": "send",
        "subscriptions.sign_up": "account",
        "subscriptions.send_manage_link": "account",
        "subscriptions.change_address": "account",
        "subscriptions.purge_stale_signups": "celery",
        "digest.process_email_event": "celery",
        "digest.recover_deliveries": "celery",
        "digest.close_stale_ingest_runs": "celery",
    }


def test_a_stuck_ingest_does_not_delay_an_edition(transactional_db, settings, stuck_host):
    httpd, handler = stuck_host
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    settings.SEND_BATCH_SIZE = 10
    url = f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"
    sources = [make_source(f"slow-{n}", Source.Kind.FEED, url=url) for n in range(2)]
    topic = make_topic()
    robot_papers(3)
    for i in range(READERS):
        make_reader(f"reader{i:03d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = service_env(smtp_port=smtp.port, FETCH_TIMEOUT_SECONDS="120")
    workers: list[subprocess.Popen] = []
    try:
        workers.append(start_worker(env, "ingest", concurrency=1, queues="ingest"))
        workers.append(start_worker(env, "send", concurrency=1, queues="send"))
        for source in sources:
            ingest_source.delay(source.pk)
        wait_for(lambda: handler.hits >= 1, timeout=60, what="the ingest worker to get stuck")

        enqueue_pending(edition_ids=[edition.pk])
        rows = Delivery.objects.filter(edition=edition)
        # A generous bound that only catches "waits behind the ingest" (which is 120 s+).
        wait_for(lambda: rows.filter(status="sent").count() == READERS, timeout=60, what="sends")

        assert len(inbox.messages) == READERS
        assert IngestRun.objects.filter(status="running").count() == 1, "ingest still stuck"
    finally:
        handler.release.set()
        stop_all(workers)
        smtp.stop()
