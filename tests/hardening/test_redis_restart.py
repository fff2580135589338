"""Redis restarted mid-edition: two real Celery workers on a private redis-server (no
persistence, so it comes back empty, as a crashed Redis without AOF does). It is stopped while
the edition is being sent and started again on the same port; the workers reconnect by
themselves (broker_connection_retry, no limit), the queued batches are gone with Redis, and the
hourly resume re-enqueues every pending row from the ledger.

Nobody gets two digests and nobody is left without one. And a Redis that restarts again and
again, while tasks are in flight, never stops a worker (Celery 5.7.0 did: "Unrecoverable error:
AttributeError ... 'hostname'" when it closed the broken connection; requirements.txt pins 5.6.3).
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError

from config.celery import app
from digest.delivery.ledger import AMBIGUOUS_REASON, recover_stuck_deliveries
from digest.editions import build_edition
from digest.models import Delivery
from tests.conftest import free_port
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.processes import (
    UNFINISHED,
    RedisServer,
    finish,
    service_env,
    settled,
    start_django,
    start_worker,
    stop_all,
    wait_for,
    worker_log,
)
from tests.smtp_sink import FastSink

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

READERS = 400


def enqueue(env: dict[str, str], edition_id: int) -> int:
    """What the hourly send_due_digests does for an interrupted edition, in its own process
    (publishing to the private Redis)."""
    code = (
        "from digest.tasks import enqueue_pending\n"
        f"print(enqueue_pending(edition_ids=[{edition_id}]))"
    )
    return int(finish(start_django(env, code), timeout=30).strip())


def test_redis_restarted_mid_edition_loses_nothing_and_sends_nothing_twice(
    transactional_db, settings, tmp_path: Path, capsys
):
    settings.SEND_BATCH_SIZE = 10
    topic = make_topic()
    robot_papers(1)
    for i in range(READERS):
        make_reader(f"reader{i:04d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    rows = Delivery.objects.filter(edition=edition)
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    smtp = FastSink().start()
    # Paced by the global limiter (in that Redis), so the restart lands mid-edition.
    env = service_env(smtp_port=smtp.port, broker_url=redis_server.url, SEND_RATE_PER_SECOND="60")
    workers: list[subprocess.Popen] = []
    started = time.monotonic()
    try:
        workers += [start_worker(env, "one"), start_worker(env, "two")]
        first_batches = enqueue(env, edition.pk)
        wait_for(lambda: smtp.received >= 100, timeout=30, what="100 messages")
        redis_server.stop()  # SIGTERM
        at_stop = smtp.received
        time.sleep(1.5)
        redis_server.start()  # the same port, empty
        wait_for(
            lambda: settled(rows, smtp, quiet=3, pending_left=True),
            timeout=40,
            what="the workers to settle after the restart",
        )
        pending_after_restart = rows.filter(status="pending").count()
        assert pending_after_restart, "the restart came too late: nothing was lost with Redis"
        for worker in workers:
            assert worker.poll() is None, f"a worker exited:\n{worker_log(worker)}"

        # The hourly resume: settle crashed rows, re-enqueue the pending ones.
        later = timezone.now() + timezone.timedelta(minutes=settings.SENDING_STALE_MINUTES + 1)
        recovery = recover_stuck_deliveries(now=later)
        resumed_batches = enqueue(env, edition.pk)
        wait_for(
            lambda: not rows.filter(status__in=UNFINISHED).exists(),
            timeout=30,
            what="the reconnected workers to finish the resumed edition",
        )

        per_reader = smtp.per_recipient()
        statuses = dict(rows.values_list("subscriber__email", "status"))
        with capsys.disabled():
            print(
                f"\nredis restart: {READERS} readers, {first_batches} batches enqueued, Redis "
                f"stopped after {at_stop} messages and restarted empty 1.5 s later; "
                f"{pending_after_restart} rows left pending, {resumed_batches} batches "
                f"re-enqueued by the resume; recovered {recovery.resent} sending, "
                f"{recovery.ambiguous} ambiguous; {time.monotonic() - started:.1f} s"
            )

        assert max(per_reader.values()) == 1, "nobody gets two"
        assert recovery.ambiguous == 0
        assert not rows.filter(reason=AMBIGUOUS_REASON).exists()
        assert set(statuses.values()) == {"sent"}
        assert per_reader == dict.fromkeys(statuses, 1), "nobody is left without one"
    finally:
        stop_all(workers)
        smtp.stop()
        redis_server.stop()
        connection.close()


def publish_until(stopped: threading.Event, broker_url: str) -> None:
    """Keep tasks in flight (Celery's own no-op), through every outage."""
    while not stopped.is_set():
        try:
            with Connection(broker_url, connect_timeout=0.5) as broker:
                for _ in range(20):
                    app.send_task("celery.backend_cleanup", connection=broker)
        except (OperationalError, OSError, redis.ConnectionError):  # Redis is down: try again
            pass
        time.sleep(0.05)


def test_workers_survive_redis_restarting_again_and_again(transactional_db, tmp_path: Path):
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    env = service_env(smtp_port=free_port(), broker_url=redis_server.url)
    workers = [start_worker(env, "one"), start_worker(env, "two")]
    stopped = threading.Event()
    publisher = threading.Thread(target=publish_until, args=(stopped, redis_server.url))
    try:
        time.sleep(5)  # both workers connected and consuming
        publisher.start()
        for down_for in (0.2, 1.5, 0.5, 3.0) * 3:
            time.sleep(1)
            redis_server.stop()
            time.sleep(down_for)
            redis_server.start()
            for worker in workers:
                assert worker.poll() is None, f"a worker exited:\n{worker_log(worker)}"
    finally:
        stopped.set()
        if publisher.is_alive():
            publisher.join()
        stop_all(workers)
        redis_server.stop()
        connection.close()
