"""Ten SIGKILLs in a row: an edition goes through real Celery workers on Redis and PostgreSQL;
a worker (main process and pool) is killed at a random moment, the rule is applied to what it
left behind, the hourly resume re-enqueues, a new worker starts, ten times; then it finishes.

Over SMTP: nobody gets two digests; every `sent` row has exactly one message at the server; a
reader without a message is an ambiguous `failed` row (killed inside the hand-over window);
everyone else has exactly one. Through an ESP that de-duplicates on our idempotency key
(Resend's API, EMAIL_IDEMPOTENT_RESEND=true): every reader has exactly one.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass

import pytest
import redis
from django.db import connection
from django.utils import timezone

from digest.delivery.ledger import AMBIGUOUS_REASON, RESENT_REASON, recover_stuck_deliveries
from digest.editions import build_edition
from digest.models import Delivery
from digest.tasks import enqueue_pending
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.processes import (
    UNFINISHED,
    service_env,
    signal_group,
    start_worker,
    stop_all,
    wait_for,
)
from tests.resend_api import ResendApi
from tests.smtp_sink import FastSink

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Enough that the tenth kill still lands mid-edition now that workers start and recover faster
# (600 let one run of ten finish before the ninth kill).
READERS = 1000
# An API call is quicker than an SMTP transaction, and the rate limit's one-second window lets
# a fresh worker burst: more readers, so the tenth kill still lands mid-edition.
ESP_READERS = 1000
KILLS = 10


@dataclass
class Run:
    statuses: dict[str, str]  # reader's address -> final row status
    per_reader: Counter[str]  # messages the mail server took, per reader
    left_behind: list[str]  # statuses the kills left, one per row
    resent_emails: set[str]  # readers whose row a kill left `sending`
    recovered: tuple[int, int]  # what the crash rule did: (resent, ambiguous)
    seconds: float


def kill_ten_times(settings, mail, env: dict[str, str], *, readers: int = READERS) -> Run:
    """Start a worker, SIGKILL it at a random moment once it sends, apply the crash rule,
    re-enqueue; ten times; then let a last worker finish the edition."""
    settings.SEND_BATCH_SIZE = 10
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own Redis db: no stale tasks
    topic = make_topic()
    robot_papers(1)  # a short digest: a short render
    for i in range(readers):
        make_reader(f"reader{i:04d}@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    rows = Delivery.objects.filter(edition=edition)
    workers: list[subprocess.Popen] = []
    rng = random.Random(KILLS)  # the same pauses every run: a failure can be replayed
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
                lambda before=mail.received: mail.received > before,
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
        return Run(
            statuses=dict(rows.values_list("subscriber__email", "status")),
            per_reader=mail.per_recipient(),
            left_behind=left_behind,
            resent_emails=resent_emails,
            recovered=(resent, ambiguous),
            seconds=time.monotonic() - started,
        )
    finally:
        stop_all(workers)
        connection.close()


def test_ten_sigkills_in_a_row_leave_everyone_with_at_most_one_digest_over_smtp(
    transactional_db, settings, capsys
):
    smtp = FastSink().start()
    try:
        run = kill_ten_times(settings, smtp, service_env(smtp_port=smtp.port))
    finally:
        smtp.stop()
    rows = Delivery.objects.all()
    per_reader, statuses = run.per_reader, run.statuses
    sent = [e for e, s in statuses.items() if s == "sent"]
    ambiguous_rows = set(
        rows.filter(reason=AMBIGUOUS_REASON).values_list("subscriber__email", flat=True)
    )
    resent_sent = rows.filter(status="sent", reason__contains=RESENT_REASON).count()
    without = [e for e in statuses if per_reader[e] == 0]
    with capsys.disabled():
        print(
            f"\nten kills (fast SMTP sink): {KILLS} SIGKILLs of a 2-process worker, "
            f"{READERS} readers, {run.seconds:.1f} s; left behind: "
            f"{run.left_behind.count('sending')} sending, "
            f"{run.left_behind.count('handed_over')} handed_over; sent {len(sent)} "
            f"({resent_sent} of them resent after a crash); ambiguous {len(ambiguous_rows)} "
            f"({sum(per_reader[e] for e in ambiguous_rows)} of those delivered); "
            f"readers without a digest {len(without)}"
        )

    # A row can be left `sending` by two kills in a row; it is still sent once. A row resent
    # after one kill and left `handed_over` by the next is ambiguous like any other (failed,
    # never sent again), so it is counted there, not among the resent.
    resent_then_sent = run.resent_emails - ambiguous_rows
    assert resent_sent == len(resent_then_sent)
    assert all(per_reader[email] == 1 for email in resent_then_sent)
    assert all(statuses[email] == "failed" for email in run.resent_emails & ambiguous_rows)
    assert max(per_reader.values()) == 1, "nobody gets two"
    assert set(per_reader) <= set(statuses)
    assert run.recovered == (
        run.left_behind.count("sending"),
        run.left_behind.count("handed_over"),
    )
    assert len(ambiguous_rows) == run.recovered[1]
    for email in sent:
        assert per_reader[email] == 1, email
    for email in without:
        assert email in ambiguous_rows and statuses[email] == "failed", email
    assert set(statuses.values()) <= {"sent", "failed"}
    assert statuses.keys() - set(sent) == ambiguous_rows


def test_ten_sigkills_in_a_row_leave_everyone_with_exactly_one_digest_through_an_idempotent_esp(
    transactional_db, settings, capsys
):
    settings.EMAIL_IDEMPOTENT_RESEND = True  # the crash rule runs in this process
    api = ResendApi().start()
    env = service_env(
        smtp_port=0,
        EMAIL_URL="",
        EMAIL_BACKEND="digest.delivery.backends.ResendBackend",
        ANYMAIL_RESEND_API_KEY="re_test_key",
        ANYMAIL_RESEND_API_URL=api.url,
        EMAIL_IDEMPOTENT_RESEND="true",
        SEND_RATE_PER_SECOND="150",  # paced, so ten kills land mid-edition
    )
    try:
        run = kill_ten_times(settings, api, env, readers=ESP_READERS)
    finally:
        api.stop()
    repeated = len(api.requests) - api.received  # requests the API answered without sending
    with capsys.disabled():
        print(
            f"\nten kills (Resend API, idempotency keys): {KILLS} SIGKILLs, {ESP_READERS} readers, "
            f"{run.seconds:.1f} s; left behind: {run.left_behind.count('sending')} sending, "
            f"{run.left_behind.count('handed_over')} handed_over, all resent with their key; "
            f"{repeated} repeated requests answered without sending; readers without a digest "
            f"{sum(run.per_reader[e] == 0 for e in run.statuses)}"
        )

    assert run.recovered == (run.left_behind.count("sending"), run.left_behind.count("handed_over"))
    assert set(run.statuses.values()) == {"sent"}
    assert all(run.per_reader[email] == 1 for email in run.statuses), "exactly one each"
    assert set(run.per_reader) == set(run.statuses)
