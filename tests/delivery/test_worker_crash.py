"""THE crash test: real Celery workers on Redis and PostgreSQL send an edition to a real SMTP
server; the worker is SIGKILLed mid-edition, restarted, and the edition finishes.

Every reader ends with exactly one digest, except rows the kill left `sending`: those are
ambiguous (the SMTP server may or may not have accepted the message before the worker died), and
the documented at-most-once rule marks them failed without resending. The test counts them
honestly: at most one per worker process, and none of them gets two.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from digest.delivery import AMBIGUOUS_REASON, enqueue_pending, recover_stuck_deliveries
from digest.editions import build_edition
from digest.models import Delivery
from digest.sending import send_edition
from tests.conftest import Inbox, free_port
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

READERS = 300
CONCURRENCY = 2
ROOT = Path(__file__).resolve().parents[2]


class SlowInbox(Inbox):
    """An SMTP server that takes a few milliseconds per message, so a kill lands mid-edition."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


def start_worker(smtp_port: int, name: str) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": settings.SITE_URL,
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "MAIL_DOMAIN": settings.MAIL_DOMAIN,
        "SEND_RATE_PER_SECOND": "0",
        "SEND_BATCH_SIZE": str(settings.SEND_BATCH_SIZE),
        # Short, so the killed worker's unacknowledged batches come back during the test.
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-n",
            f"{name}@%h",
            "-c",
            str(CONCURRENCY),
            "-P",
            "prefork",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: SIGKILL reaches every child at once
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_group(worker: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    worker.wait(timeout=30)


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_worker_killed_mid_edition_leaves_nobody_with_two_digests(transactional_db, settings):
    settings.SEND_BATCH_SIZE = 20
    settings.SITE_URL = "https://paperboy.example"
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    topic = make_topic()
    robot_papers(3)
    for i in range(READERS):
        make_reader(f"reader{i:04d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    inbox = SlowInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    workers: list[subprocess.Popen] = []
    try:
        assert enqueue_pending(edition_ids=[edition.pk]) == READERS // 20
        workers.append(start_worker(smtp.port, "first"))
        wait_for(lambda: len(inbox.messages) >= READERS // 3, timeout=60, what="first third")
        kill_group(workers[0], signal.SIGKILL)
        killed_at = timezone.now()
        received_at_kill = len(inbox.messages)
        assert received_at_kill < READERS, "the kill must land mid-edition"

        workers.append(start_worker(smtp.port, "second"))
        # What the hourly send_due_digests does: re-enqueue every pending row of the edition.
        # The batches still queued are enqueued twice, and the killed worker's unacknowledged
        # batches come back after the visibility timeout: the claims make all of that harmless.
        assert enqueue_pending(edition_ids=[edition.pk]) >= 1
        rows = Delivery.objects.filter(edition=edition)
        wait_for(
            lambda: not rows.filter(status="pending").exists(),
            timeout=120,
            what="the restarted worker to finish the edition",
        )
        time.sleep(1)  # let any last in-flight send finish

        # The documented rule, applied once the stuck rows are older than the stale limit.
        stuck = rows.filter(status="sending")
        assert all(d.claimed_at <= killed_at for d in stuck), "only the kill leaves rows stuck"
        later = timezone.now() + timezone.timedelta(minutes=settings.SENDING_STALE_MINUTES + 1)
        ambiguous = recover_stuck_deliveries(now=later)

        per_reader = collections.Counter(str(m["To"]) for m in inbox.messages)
        statuses = dict(rows.values_list("subscriber__email", "status"))
        ambiguous_emails = set(
            rows.filter(reason=AMBIGUOUS_REASON).values_list("subscriber__email", flat=True)
        )
        print(
            f"\ncrash test: {READERS} readers, {received_at_kill} mails before SIGKILL, "
            f"{len(ambiguous_emails)} ambiguous rows "
            f"({sum(per_reader[e] for e in ambiguous_emails)} of them delivered)"
        )
        assert len(ambiguous_emails) == ambiguous <= CONCURRENCY
        assert max(per_reader.values()) == 1, "nobody gets two"
        for email, status in statuses.items():
            if email in ambiguous_emails:
                assert status == "failed" and per_reader[email] <= 1
            else:
                assert (status, per_reader[email]) == ("sent", 1), email

        # A rerun after completion sends nothing (in this process, through the same server).
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        before = len(inbox.messages)
        report = send_edition(frequency="daily", date=DAY)
        assert enqueue_pending(edition_ids=[edition.pk]) == 0
        assert (report.sent, len(inbox.messages)) == (0, before)
    finally:
        for worker in workers:
            kill_group(worker, signal.SIGTERM)
        smtp.stop()
        connection.close()
