"""Ten SIGKILLs in a row: an edition goes through real Celery workers on Redis and PostgreSQL;
a worker (main process and pool) is killed at a random moment, the rule is applied to what it
left behind, the hourly resume re-enqueues, a new worker starts, ten times; then it finishes.

Nobody gets two digests; every `sent` row has exactly one message at the SMTP server; a reader
without a message is an ambiguous `failed` row (killed inside the hand-over window); everyone
else has exactly one.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest
import redis
from django.db import connection
from django.utils import timezone

from digest.delivery import enqueue_pending
from digest.editions import build_edition
from digest.ledger import AMBIGUOUS_REASON, RESENT_REASON, recover_stuck_deliveries
from digest.models import Delivery
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.processes import (
    UNFINISHED,
    service_env,
    signal_group,
    start_worker,
    stop_all,
    wait_for,
)
from tests.smtp_sink import FastSink

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

READERS = 600
KILLS = 10


def test_ten_sigkills_in_a_row_leave_everyone_with_at_most_one_digest(
    transactional_db, settings, capsys
):
    settings.SEND_BATCH_SIZE = 10
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    topic = make_topic()
    robot_papers(1)  # a short digest: a short render
    for i in range(READERS):
        make_reader(f"reader{i:04d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    rows = Delivery.objects.filter(edition=edition)
    smtp = FastSink().start()
    env = service_env(smtp_port=smtp.port)
    workers: list[subprocess.Popen] = []
    rng = random.Random()
    resent = ambiguous = 0
    left_behind: list[str] = []
    resent_emails: set[str] = set()
    started = time.monotonic()
    try:
        enqueue_pending(edition_ids=[edition.pk])
        for kill in range(KILLS):
            worker = start_worker(env, f"w{kill}")
            workers.append(worker)
            wait_for(
                lambda before=smtp.received: smtp.received > before,
                timeout=30,
                what="the worker to send",
            )
            time.sleep(rng.uniform(0, 0.3))
            signal_group(worker, signal.SIGKILL)  # main process and pool at once
            assert rows.filter(status="pending").exists(), f"kill {kill + 1} came too late"
            left_behind += rows.filter(status__in=("sending", "handed_over")).values_list(
                "status", flat=True
            )
            resent_emails.update(
                rows.filter(status="sending").values_list("subscriber__email", flat=True)
            )
            # What the hourly send_due_digests does once those rows are stale.
            later = timezone.now() + timezone.timedelta(minutes=settings.SENDING_STALE_MINUTES + 1)
            recovery = recover_stuck_deliveries(now=later)
            resent += recovery.resent
            ambiguous += recovery.ambiguous
            enqueue_pending(edition_ids=[edition.pk])

        workers.append(start_worker(env, "last"))
        wait_for(
            lambda: not rows.filter(status__in=UNFINISHED).exists(),
            timeout=60,
            what="the last worker to finish the edition",
        )

        per_reader = smtp.per_recipient()
        statuses = dict(rows.values_list("subscriber__email", "status"))
        sent = [e for e, s in statuses.items() if s == "sent"]
        ambiguous_rows = set(
            rows.filter(reason=AMBIGUOUS_REASON).values_list("subscriber__email", flat=True)
        )
        resent_sent = rows.filter(status="sent", reason__contains=RESENT_REASON).count()
        # A row can be left `sending` by two kills in a row; it is still sent once.
        assert resent_sent == len(resent_emails)
        assert all(per_reader[email] == 1 for email in resent_emails)
        without = [e for e in statuses if per_reader[e] == 0]
        with capsys.disabled():
            print(
                f"\nten kills (fast SMTP sink): {KILLS} SIGKILLs of a 2-process worker, "
                f"{READERS} readers, "
                f"{time.monotonic() - started:.1f} s; left behind: "
                f"{left_behind.count('sending')} sending, "
                f"{left_behind.count('handed_over')} handed_over; sent {len(sent)} "
                f"({resent_sent} of them resent after a crash); ambiguous {len(ambiguous_rows)} "
                f"({sum(per_reader[e] for e in ambiguous_rows)} of those delivered); "
                f"readers without a digest {len(without)}"
            )

        assert max(per_reader.values()) == 1, "nobody gets two"
        assert set(per_reader) <= set(statuses)
        assert (resent, ambiguous) == (
            left_behind.count("sending"),
            left_behind.count("handed_over"),
        )
        assert len(ambiguous_rows) == ambiguous
        for email in sent:
            assert per_reader[email] == 1, email
        for email in without:
            assert email in ambiguous_rows and statuses[email] == "failed", email
        assert set(statuses.values()) <= {"sent", "failed"}
        assert statuses.keys() - set(sent) == ambiguous_rows
    finally:
        stop_all(workers)
        smtp.stop()
        connection.close()
