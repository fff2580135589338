"""Two `send_digests` at once, or two beats each running the hourly `send_due_digests`: still one
digest per reader. Real processes on PostgreSQL (and Redis for the workers)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
import redis
from django.db import connection

from digest.models import Delivery, Edition
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.processes import finish, service_env, start_django, start_worker, stop_all, wait_for
from tests.smtp_sink import FastSink

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

READERS = 120


def edition_readers() -> list[str]:
    topic = make_topic()
    robot_papers(1)
    emails = [f"reader{i:03d}@example.org" for i in range(READERS)]
    for email in emails:
        make_reader(email, topics=(topic,), send_hour=5, timezone="UTC")
    return emails


def test_send_digests_run_twice_at_once_sends_one_digest_each(transactional_db, settings):
    emails = edition_readers()
    sink = FastSink().start()
    env = service_env(smtp_port=sink.port)
    command = (
        "from django.core.management import call_command\n"
        f"call_command('send_digests', '--date', '{DAY.isoformat()}')"
    )
    try:
        runs = [start_django(env, command) for _ in range(2)]
        outputs = [finish(run, timeout=120) for run in runs]
    finally:
        sink.stop()
        connection.close()

    assert sink.per_recipient() == dict.fromkeys(emails, 1)
    assert Edition.objects.count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    sent = [int(out.split("sent=")[1].split()[0]) for out in outputs]
    assert sum(sent) == READERS, outputs


def test_two_beats_running_send_due_digests_at_once_send_one_digest_each(
    transactional_db, settings
):
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    emails = edition_readers()
    sink = FastSink().start()
    env = service_env(smtp_port=sink.port)
    now = dt.datetime.combine(DAY, dt.time(5, 5), tzinfo=dt.UTC)
    hourly = (
        "from digest.tasks import send_due_digests\n"
        f"print(send_due_digests(now='{now.isoformat()}'))"
    )
    workers: list[subprocess.Popen] = []
    try:
        beats = [start_django(env, hourly) for _ in range(2)]
        enqueued = [int(finish(beat, timeout=120).strip()) for beat in beats]
        workers.append(start_worker(env, "one"))
        workers.append(start_worker(env, "two"))
        rows = Delivery.objects.all()
        wait_for(
            lambda: rows.count() == READERS and not rows.exclude(status="sent").exists(),
            timeout=60,
            what="the workers to send the edition",
        )
    finally:
        stop_all(workers)
        sink.stop()
        connection.close()

    assert sink.per_recipient() == dict.fromkeys(emails, 1)
    assert Edition.objects.count() == 1
    assert sum(enqueued) >= 1  # both may enqueue the same batches: the claims dedupe
