"""After a crash an edition resumes within minutes, not at the next hourly run.

A real worker is SIGKILLed mid-edition and restarted (once, and three times in a row); nobody
calls anything by hand: beat's
`digest.recover_deliveries` (every RECOVERY_INTERVAL_SECONDS) settles the rows the kill left
behind and re-enqueues the batches that died with the worker. Redis keeps the killed worker's
unacknowledged batches for the whole visibility timeout (an hour here, as in production), so
only the recovery beat can bring them back in time.

Scaled down in time: the stale rule is 3 s and the beat every second, instead of 3 minutes
and 2 minutes; the edition must finish within 60 s of the restart. In production the same
path finishes within stale rule + beat interval (5 minutes) plus the sending itself.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest
import redis
from aiosmtpd.controller import Controller

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
    start_beat,
    start_worker,
    stop_all,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
READERS = 200


@pytest.mark.parametrize("kills", [1, 3])
def test_an_edition_resumes_by_itself_soon_after_a_worker_is_killed(
    transactional_db, settings, tmp_path, kills
):
    settings.SEND_BATCH_SIZE = 10
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    topic = make_topic()
    robot_papers(3)
    for i in range(READERS):
        make_reader(f"reader{i:04d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    rows = Delivery.objects.filter(edition=edition)
    inbox = PacedInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = service_env(
        smtp_port=smtp.port,
        CELERY_VISIBILITY_TIMEOUT="3600",
        SENDING_STALE_MINUTES="0.05",
        RECOVERY_INTERVAL_SECONDS="1",
    )
    processes: list[subprocess.Popen] = []
    try:
        processes.append(start_beat(env, tmp_path / "celerybeat-schedule"))
        worker = start_worker(env, "worker-0", concurrency=2)
        processes.append(worker)
        enqueue_pending(edition_ids=[edition.pk])
        rng = random.Random(kills)  # the same pauses every run: a failure can be replayed
        for kill in range(1, kills + 1):
            share = READERS * kill // (kills + 2)
            wait_for(lambda share=share: inbox.received >= share, timeout=60, what="progress")
            time.sleep(rng.uniform(0, 0.2))
            signal_group(worker, signal.SIGKILL)  # main process and pool at once
            assert inbox.received < READERS, "the kill must land mid-edition"
            worker = start_worker(env, f"worker-{kill}", concurrency=2)
            processes.append(worker)
        restarted = time.monotonic()
        wait_for(
            lambda: not rows.filter(status__in=UNFINISHED).exists(),
            timeout=60,
            what="the edition to finish after the restart",
        )
        took = time.monotonic() - restarted
    finally:
        stop_all(processes)
        smtp.stop()

    per_reader = inbox.per_recipient()
    ambiguous = rows.filter(status="failed").count()
    assert max(per_reader.values()) == 1, "nobody gets two"
    assert len(per_reader) >= READERS - ambiguous
    assert rows.filter(status="sent").count() >= READERS - ambiguous
    print(f"{kills} kill(s): finished {took:.1f} s after the last restart; {ambiguous} ambiguous")
