"""THE crash test: real Celery workers on Redis and PostgreSQL send an edition to a real SMTP
server; the worker is SIGKILLed mid-edition, restarted, and the edition finishes.

A kill leaves at most one row per worker process behind. A row still `sending` never had its
end of data sent, so the server discarded it: the rule puts it back to pending and it is sent
again. Only a row `handed_over` (killed in the few milliseconds between committing the hand-over
and the server's reply being recorded) is ambiguous: failed, never resent. Everyone else ends
with exactly one digest; nobody gets two.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from digest.delivery.ledger import AMBIGUOUS_REASON, recover_stuck_deliveries
from digest.delivery.runs import send_edition
from digest.editions import build_edition
from digest.models import Delivery
from digest.tasks import enqueue_pending
from tests.conftest import free_port
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.processes import (
    UNFINISHED,
    PacedInbox,
    service_env,
    signal_group,
    start_worker,
    stop_all,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

READERS = 300
CONCURRENCY = 2


def test_a_worker_killed_mid_edition_leaves_nobody_with_two_digests(transactional_db, settings):
    settings.SEND_BATCH_SIZE = 20
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    topic = make_topic()
    robot_papers(3)
    for i in range(READERS):
        make_reader(f"reader{i:04d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    inbox = PacedInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = service_env(smtp_port=smtp.port)
    workers: list[subprocess.Popen] = []
    try:
        assert enqueue_pending(edition_ids=[edition.pk]) == READERS // 20
        workers.append(start_worker(env, "first", concurrency=CONCURRENCY))
        wait_for(lambda: inbox.received >= READERS // 3, timeout=60, what="first third")
        # Not right after a reply: anywhere in a send (the same pause every run, to replay it).
        time.sleep(random.Random(READERS).uniform(0, 0.2))
        signal_group(workers[0], signal.SIGKILL)  # main process and pool at once
        received_at_kill = inbox.received
        assert received_at_kill < READERS, "the kill must land mid-edition"
        rows = Delivery.objects.filter(edition=edition)
        left = dict(rows.filter(status__in=("sending", "handed_over")).values_list("pk", "status"))

        # What the hourly send_due_digests does once the rows are stale: the rule, then a
        # re-enqueue of every pending row. Batches still queued are enqueued twice and the
        # killed worker's unacknowledged batches come back: the claims make that harmless.
        later = timezone.now() + timezone.timedelta(minutes=settings.SENDING_STALE_MINUTES + 1)
        recovery = recover_stuck_deliveries(now=later)
        workers.append(start_worker(env, "second", concurrency=CONCURRENCY))
        assert enqueue_pending(edition_ids=[edition.pk]) >= 1
        wait_for(
            lambda: not rows.filter(status__in=UNFINISHED).exists(),
            timeout=90,
            what="the restarted worker to finish the edition",
        )

        per_reader = inbox.per_recipient()
        statuses = dict(rows.values_list("subscriber__email", "status"))
        ambiguous = set(
            rows.filter(reason=AMBIGUOUS_REASON).values_list("subscriber__email", flat=True)
        )
        print(
            f"\ncrash test: {READERS} readers, {received_at_kill} mails before SIGKILL, "
            f"left behind {sorted(left.values())}, {recovery.resent} resent, "
            f"{recovery.ambiguous} ambiguous ({sum(per_reader[e] for e in ambiguous)} delivered)"
        )
        assert len(left) <= CONCURRENCY
        assert (recovery.resent, recovery.ambiguous) == (
            list(left.values()).count("sending"),
            list(left.values()).count("handed_over"),
        )
        assert len(ambiguous) == recovery.ambiguous
        assert max(per_reader.values()) == 1, "nobody gets two"
        for email, status in statuses.items():
            if email in ambiguous:
                assert status == "failed" and per_reader[email] <= 1
            else:
                assert (status, per_reader[email]) == ("sent", 1), email

        # A rerun after completion sends nothing (in this process, through the same server).
        settings.EMAIL_BACKEND = "digest.delivery.backends.SMTPBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        before = inbox.received
        report = send_edition(frequency="daily", date=DAY)
        assert enqueue_pending(edition_ids=[edition.pk]) == 0
        assert (report.sent, inbox.received) == (0, before)
    finally:
        stop_all(workers)
        smtp.stop()
        connection.close()
