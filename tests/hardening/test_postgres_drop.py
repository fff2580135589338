"""PostgreSQL connections dropped mid-batch: an edition goes through two real Celery workers on
Redis and PostgreSQL; three times during it, every worker's database connection is killed
(`pg_terminate_backend`, what a failover or a restarted server does). A batch that loses its
connection is retried by its task (digest.send_batch retries database errors with back-off);
rows it had already claimed are settled by the hourly resume's rule.

Nobody gets two digests; every `sent` row has exactly one message; a reader without a message
is a `failed` row the rule records as ambiguous; the reasons and attempts say what happened.
"""

from __future__ import annotations

import subprocess
import time

import pytest
import redis
from django.db import connection
from django.utils import timezone

from digest.delivery.ledger import AMBIGUOUS_REASON, RESENT_REASON, recover_stuck_deliveries
from digest.editions import build_edition
from digest.models import Delivery
from digest.tasks import enqueue_pending
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.processes import UNFINISHED, service_env, settled, start_worker, stop_all, wait_for
from tests.smtp_sink import FastSink

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

READERS = 400
DROPS_AT = (40, 150, 260)  # messages received at the sink when each drop happens


def terminate_other_backends() -> int:
    """Kill every other connection to the test database (the workers'), from ours."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_dropped_database_connections_mid_edition_lose_nothing_and_send_nothing_twice(
    transactional_db, settings, capsys
):
    settings.SEND_BATCH_SIZE = 10
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    topic = make_topic()
    robot_papers(1)
    for i in range(READERS):
        make_reader(f"reader{i:04d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    rows = Delivery.objects.filter(edition=edition)
    smtp = FastSink().start()
    # Paced by the global limiter, so the drops land while batches are running.
    env = service_env(smtp_port=smtp.port, SEND_RATE_PER_SECOND="60")
    workers: list[subprocess.Popen] = []
    terminated: list[int] = []
    started = time.monotonic()
    try:
        workers += [start_worker(env, "one"), start_worker(env, "two")]
        enqueue_pending(edition_ids=[edition.pk])
        for at in DROPS_AT:
            wait_for(lambda at=at: smtp.received >= at, timeout=30, what=f"{at} messages")
            terminated.append(terminate_other_backends())
        assert rows.filter(status="pending").exists(), "the last drop came too late"

        # The same workers carry on: the batches that lost their connection are retried.
        wait_for(lambda: settled(rows, smtp, quiet=2), timeout=40, what="the workers to settle")
        stuck = dict(
            rows.filter(status__in=("sending", "handed_over")).values_list(
                "subscriber__email", "status"
            )
        )
        # What the hourly send_due_digests does once those rows are stale.
        later = timezone.now() + timezone.timedelta(minutes=settings.SENDING_STALE_MINUTES + 1)
        recovery = recover_stuck_deliveries(now=later)
        enqueue_pending(edition_ids=[edition.pk])
        wait_for(
            lambda: not rows.filter(status__in=UNFINISHED).exists(),
            timeout=30,
            what="the resumed edition to finish",
        )

        per_reader = smtp.per_recipient()
        statuses = dict(rows.values_list("subscriber__email", "status"))
        resent = rows.filter(status="sent", reason__contains=RESENT_REASON)
        ambiguous = set(
            rows.filter(reason=AMBIGUOUS_REASON).values_list("subscriber__email", flat=True)
        )
        without = [e for e in statuses if per_reader[e] == 0]
        with capsys.disabled():
            print(
                f"\npostgres drop: {len(DROPS_AT)} drops killing {terminated} worker "
                f"connections, {READERS} readers, {time.monotonic() - started:.1f} s; left "
                f"behind: {list(stuck.values()).count('sending')} sending, "
                f"{list(stuck.values()).count('handed_over')} handed_over; sent "
                f"{list(statuses.values()).count('sent')} ({resent.count()} resent by the "
                f"rule); ambiguous {len(ambiguous)}; readers without a digest {len(without)}"
            )

        assert sum(terminated) > 0, "the drops hit worker connections"
        assert max(per_reader.values()) == 1, "nobody gets two"
        assert set(per_reader) <= set(statuses)
        assert (recovery.resent, recovery.ambiguous) == (
            list(stuck.values()).count("sending"),
            list(stuck.values()).count("handed_over"),
        )
        for email, status in statuses.items():
            if status == "sent":
                assert per_reader[email] == 1, email
            else:
                assert status == "failed" and email in ambiguous, (email, status)
        assert set(without) <= ambiguous
        # A row the drop left `sending` was sent by the rule on its second attempt, and says so.
        assert resent.count() == recovery.resent
        assert set(resent.values_list("attempts", flat=True)) <= {2}
        assert all(per_reader[e] == 1 for e in stuck if statuses[e] == "sent")
    finally:
        stop_all(workers)
        smtp.stop()
        connection.close()
