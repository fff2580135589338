"""Sending the ledger: each Delivery row goes out at most once, and exactly once when nothing
crashes between the SMTP/ESP accept and the database update (see docs/delivery.md).

pending --claim (conditional UPDATE)--> sending --accepted--> sent (+ SentPaper rows)
                                                 --transient error--> pending (retried later)
                                                 --permanent error--> failed (reason kept)
A row left `sending` by a crash is ambiguous; `recover_stuck_deliveries` applies the rule.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from digest.cards import DigestRenderer
from digest.models import Delivery, Edition, Paper, SentPaper
from digest.ratelimit import send_limiter
from digest.rendering import digest_mail
from subscriptions import mail
from subscriptions.models import Subscriber

log = logging.getLogger(__name__)

AMBIGUOUS_REASON = "ambiguous after crash: may have been delivered, not resent (at-most-once)"
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)


class TransientSendError(Exception):
    """The ESP or SMTP server said "try again later" (4xx, timeout, connection lost)."""


class PermanentSendError(Exception):
    """The ESP or SMTP server refused this message for good (5xx, rejected recipient)."""


def classify(error: Exception) -> TransientSendError | PermanentSendError:
    """Turn whatever the mail backend raised into transient or permanent, with a reason."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        reason = "; ".join(
            f"{c} {m.decode(errors='replace')}" for c, m in error.recipients.values()
        )
        transient = bool(codes) and all(400 <= c < 500 for c in codes)
        return (TransientSendError if transient else PermanentSendError)(reason)
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        reason = f"SMTP {error.smtp_code} {text}"
        if 400 <= error.smtp_code < 500 or error.smtp_code < 0:
            return TransientSendError(reason)
        return PermanentSendError(reason)
    if isinstance(error, AnymailRecipientsRefused):
        return PermanentSendError(f"ESP refused the recipient: {error}")
    if isinstance(error, AnymailAPIError):
        status = getattr(error, "status_code", None)
        if status is None or status == 429 or status >= 500:
            return TransientSendError(f"ESP API error {status}: {error}")
        return PermanentSendError(f"ESP API error {status}: {error}")
    if isinstance(error, AnymailError):
        return PermanentSendError(f"ESP error: {error}")
    # smtplib.SMTPServerDisconnected and other SMTPExceptions, timeouts, refused connections.
    return TransientSendError(f"{type(error).__name__}: {error}")


def retry_delay(attempt: int) -> float:
    """Exponential back-off with jitter, capped far below the Redis visibility timeout."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    cap = min(settings.SEND_RETRY_MAX_SECONDS, visibility / 4)
    base = min(cap, settings.SEND_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return base / 2 + random.uniform(0, base / 2)


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    not_claimed: int = 0
    retry: list[int] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.not_claimed += other.not_claimed


# Plain SQL: the ORM spends more CPU compiling this UPDATE than the database spends running it.
_CLAIM = (
    "UPDATE {table} SET status = %s, attempts = attempts + 1, claimed_at = %s"
    " WHERE id = %s AND status = %s"
)


def claim(delivery_id: int) -> bool:
    """pending -> sending. Only the caller whose UPDATE changed the row may send it.

    One row at a time, committed (and on disk) before the send: a worker killed at any moment
    leaves at most the one row it was sending ambiguous.
    """
    with db_connection.cursor() as cursor:
        cursor.execute(
            _CLAIM.format(table=Delivery._meta.db_table),
            [Delivery.Status.SENDING, timezone.now(), delivery_id, Delivery.Status.PENDING],
        )
        return cursor.rowcount == 1


# One statement, so one round trip; data-modifying CTEs always run to completion. set_config(...,
# true) makes this statement's own transaction commit without waiting for the WAL flush.
_MARK_SENT_POSTGRESQL = """
WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS value),
sent AS (
    UPDATE {delivery} SET status = %s, message_id = %s, sent_at = %s, reason = ''
    WHERE id = %s AND status = %s AND EXISTS (SELECT 1 FROM relaxed)
    RETURNING id, subscriber_id
)
INSERT INTO {sent_paper} (subscriber_id, paper_id, delivery_id)
SELECT sent.subscriber_id, paper.id, sent.id FROM sent, unnest(%s::bigint[]) AS paper(id)
ON CONFLICT DO NOTHING
"""


def mark_sent(delivery: Delivery, *, message_id: str, paper_pks: list[int]) -> None:
    """sending -> sent, and a SentPaper row per paper, in one transaction.

    On PostgreSQL its COMMIT does not wait for the WAL flush: only a crash of PostgreSQL itself
    in the next fraction of a second could lose it, and then the row stays `sending`, which the
    ambiguous-row rule settles (never resent by default; resent with the same idempotency key
    where the ESP de-duplicates). The claim, which must be on disk before the send, still
    waits, and its flush also writes every earlier sent mark.
    """
    if db_connection.vendor == "postgresql":
        sql = _MARK_SENT_POSTGRESQL.format(
            delivery=Delivery._meta.db_table, sent_paper=SentPaper._meta.db_table
        )
        with db_connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    Delivery.Status.SENT,
                    message_id,
                    timezone.now(),
                    delivery.pk,
                    Delivery.Status.SENDING,
                    paper_pks,
                ],
            )
        return
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SENT, message_id=message_id, sent_at=timezone.now(), reason=""
        )
        SentPaper.objects.bulk_create(
            [
                SentPaper(subscriber_id=delivery.subscriber_id, paper_id=pk, delivery=delivery)
                for pk in paper_pks
            ],
            ignore_conflicts=True,
        )


def _release(delivery_id: int, *, error: TransientSendError) -> bool:
    """Back to pending for a retry, or failed once the attempts are used up."""
    row = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING)
    attempts = row.values_list("attempts", flat=True).first() or 0
    if attempts >= settings.SEND_MAX_ATTEMPTS:
        row.update(
            status=Delivery.Status.FAILED,
            reason=f"gave up after {attempts} attempts: {error}"[:300],
        )
        return False
    row.update(status=Delivery.Status.PENDING, reason=f"will retry: {error}"[:300])
    return True


def _fail(delivery_id: int, *, error: PermanentSendError) -> None:
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.FAILED, reason=str(error)[:300]
    )


def _receiving_ids(deliveries: list[Delivery]) -> set[int]:
    """Readers in this batch still receiving mail: someone who unsubscribed or bounced after
    the edition was built gets nothing."""
    ids: set[int] = set()
    for date in {d.edition.date for d in deliveries}:
        readers = Subscriber.objects.receiving(date).filter(
            pk__in=[d.subscriber_id for d in deliveries if d.edition.date == date]
        )
        ids.update(readers.values_list("pk", flat=True))
    return ids


def _skip(deliveries: list[Delivery]) -> None:
    """One UPDATE per reader status for the readers no longer receiving mail."""
    by_status: dict[str, list[int]] = defaultdict(list)
    for delivery in deliveries:
        by_status[delivery.subscriber.status].append(delivery.pk)
    for status, pks in by_status.items():
        Delivery.objects.filter(pk__in=pks, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SKIPPED, reason=f"reader {status}"
        )


def _topic_names(subscriber_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = Subscriber.topics.through.objects.filter(subscriber_id__in=subscriber_ids).order_by(
        "topic__position", "topic__name"
    )
    for subscriber_id, name in rows.values_list("subscriber_id", "topic__name"):
        names[subscriber_id].append(name)
    return names


class _Connection:
    """One mail connection per batch, reopened after a transient failure."""

    def __init__(self) -> None:
        self.connection = mail.open_connection()
        self.is_open = False

    def get(self):
        if not self.is_open:
            self.connection.open()
            self.is_open = True
        return self.connection

    def reset(self) -> None:
        try:
            self.connection.close()
        except SEND_ERRORS:
            log.debug("closing a broken mail connection failed", exc_info=True)
        self.is_open = False


def send_batch(*, delivery_ids: list[int]) -> BatchResult:
    """Send each pending delivery among `delivery_ids` that this call manages to claim."""
    result = BatchResult()
    deliveries = list(
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING)
        .select_related("subscriber", "edition")
        .order_by("pk")
    )
    result.not_claimed = len(set(delivery_ids)) - len(deliveries)
    if not deliveries:
        return result
    wanted = {item["id"] for d in deliveries for item in d.papers}
    papers = {p.canonical_id: p for p in Paper.objects.filter(canonical_id__in=wanted)}
    topics = _topic_names([d.subscriber_id for d in deliveries])
    receiving = _receiving_ids(deliveries)
    gone = [d for d in deliveries if d.subscriber_id not in receiving]
    _skip(gone)
    result.skipped += len(gone)
    renderer = DigestRenderer(papers=papers)  # each paper's card rendered once
    limiter = send_limiter()
    connection = _Connection()
    try:
        for delivery in deliveries:
            if delivery.subscriber_id not in receiving:
                continue
            # Render before claiming: a crash while the row is `sending` (the ambiguous window)
            # then covers only the hand-over to the server, not the rendering.
            message = mail.render(
                digest_mail(
                    delivery=delivery,
                    subscriber=delivery.subscriber,
                    edition=delivery.edition,
                    papers=papers,
                    topic_names=topics[delivery.subscriber_id],
                    renderer=renderer,
                )
            )
            limiter.acquire()
            if not claim(delivery.pk):
                result.not_claimed += 1
                continue
            outcome = _send_one(delivery, message, papers, connection)
            if outcome is None:
                result.sent += 1
            elif isinstance(outcome, TransientSendError) and _release(delivery.pk, error=outcome):
                result.retry.append(delivery.pk)
            else:
                result.failed += 1
    finally:
        connection.reset()
    return result


def _send_one(
    delivery: Delivery,
    message: mail.UnfoldedEmail,
    papers: dict[str, Paper],
    connection: _Connection,
) -> TransientSendError | PermanentSendError | None:
    try:
        message_id = mail.send_rendered(message, connection=connection.get())
    except SEND_ERRORS as error:
        outcome = classify(error)
        log.warning("delivery %s: %s", delivery.pk, outcome)
        if isinstance(outcome, TransientSendError):
            connection.reset()
            return outcome
        _fail(delivery.pk, error=outcome)
        return outcome
    paper_pks = [papers[i["id"]].pk for i in delivery.papers if i["id"] in papers]
    mark_sent(delivery, message_id=message_id, paper_pks=paper_pks)
    return None


def recover_stuck_deliveries(*, now: dt.datetime | None = None) -> int:
    """Apply the documented rule to rows left `sending` by a crash; return how many.

    A row is stuck when it was claimed more than SENDING_STALE_MINUTES ago (far longer than one
    send takes). With an ESP that de-duplicates on our idempotency key
    (EMAIL_IDEMPOTENT_RESEND=true) it goes back to pending and is resent with the same key.
    Otherwise the message may or may not have left: we choose at-most-once and mark it failed
    as ambiguous, never resending (a reader missing one digest beats a reader getting two).
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.SENDING_STALE_MINUTES)
    stuck = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=stale)
    if settings.EMAIL_IDEMPOTENT_RESEND:
        return stuck.update(status=Delivery.Status.PENDING, reason="resent after crash (same key)")
    return stuck.update(status=Delivery.Status.FAILED, reason=AMBIGUOUS_REASON)


def pending_batches(*, edition_ids: list[int]) -> list[list[int]]:
    ids = list(
        Delivery.objects.pending()
        .filter(edition_id__in=edition_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = settings.SEND_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def enqueue_pending(*, edition_ids: list[int]) -> int:
    """Hand every pending row of these editions to the workers, in batches, after commit."""
    from digest.tasks import send_batch as send_batch_task

    batches = pending_batches(edition_ids=edition_ids)
    for batch in batches:
        transaction.on_commit(lambda batch=batch: send_batch_task.delay(delivery_ids=batch))
    return len(batches)


def send_pending_here(
    *, edition_ids: list[int], sleep: Callable[[float], None] | None = None
) -> BatchResult:
    """Send every pending row in this process, retrying transient errors with back-off."""
    sleep = sleep or time.sleep
    total = BatchResult()
    retry: list[int] = []
    for batch in pending_batches(edition_ids=edition_ids):
        result = send_batch(delivery_ids=batch)
        total.add(result)
        retry += result.retry
    attempt = 1
    while retry:
        sleep(retry_delay(attempt))
        result = send_batch(delivery_ids=retry)
        total.add(result)
        retry = result.retry
        attempt += 1
    return total


def edition_counts(edition: Edition) -> dict[str, int]:
    counts = dict.fromkeys(Delivery.Status.values, 0)
    rows = edition.deliveries.values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
