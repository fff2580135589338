"""One batch of the ledger, sent: each Delivery row goes out once (digest/delivery/ledger.py has
the states, docs/delivery.md ("Exactly once") the one window where a crash leaves a row ambiguous).

Each row is rendered, then claimed (pending -> sending), handed over (-> handed_over, committed
just before the SMTP end-of-data dot, or before the ESP request) and marked sent on the 250: three
ledger steps per message, the fewest that keep the guarantees (see digest/delivery/__init__.py).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from digest.delivery import ledger
from digest.delivery.backends import HandOverRefused
from digest.delivery.errors import SEND_ERRORS, PermanentSendError, classify, retry_delay
from digest.delivery.message import digest_mail
from digest.models import Delivery, Paper
from digest.ratelimit import send_limiter
from subscriptions import emails
from subscriptions.models import Subscriber

log = logging.getLogger(__name__)


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


def batch_message(
    delivery: Delivery,
    *,
    papers: dict[str, Paper],
    topics: dict[int, list[str]],
) -> emails.UnfoldedEmail:
    """One delivery's digest, rendered from the template triple."""
    return emails.render(
        digest_mail(
            delivery=delivery,
            subscriber=delivery.subscriber,
            edition=delivery.edition,
            papers=papers,
            topic_names=topics[delivery.subscriber_id],
        )
    )


class _Connection:
    """One mail connection per batch, reopened after a transient failure."""

    def __init__(self) -> None:
        self.connection = emails.open_connection()
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
    limiter = send_limiter()
    connection = _Connection()
    try:
        for delivery in deliveries:
            if delivery.subscriber_id not in receiving:
                continue
            # Render before claiming: the row is `sending` (or `handed_over`) only while the
            # message is actually on its way to the server.
            message = batch_message(delivery, papers=papers, topics=topics)
            limiter.acquire()
            claim = ledger.claim(delivery.pk, receiving_on=delivery.edition.date)
            if claim is None:
                if ledger.skip_if_not_receiving(delivery.pk, receiving_on=delivery.edition.date):
                    result.skipped += 1  # unsubscribed (or bounced) while the batch ran
                else:
                    result.not_claimed += 1
                continue
            _send_one(delivery, claim, message, papers, connection, result)
    finally:
        connection.reset()
    return result


def _send_one(
    delivery: Delivery,
    claim: ledger.Claim,
    message: emails.UnfoldedEmail,
    papers: dict[str, Paper],
    connection: _Connection,
    result: BatchResult,
) -> None:
    try:
        backend = connection.get()
        if getattr(backend, "hands_over_at_end_of_data", False):
            # SMTP: committed just before the end-of-data dot, once the body is on the wire.
            message.before_end_of_data = lambda: ledger.hand_over(claim)
        elif not ledger.hand_over(claim):
            raise HandOverRefused(f"delivery {claim.delivery_id} was taken back before hand-over")
        message_id = emails.send_rendered(message, connection=backend)
    except HandOverRefused:
        connection.reset()  # the stale rule overtook this sender: the row is someone else's
        result.not_claimed += 1
        return
    except SEND_ERRORS as error:
        outcome = classify(error)
        log.warning("delivery %s: %s: %s", delivery.pk, type(outcome).__name__, outcome)
        if not isinstance(outcome, PermanentSendError):
            connection.reset()
        if ledger.record_failure(claim, outcome):
            result.retry.append(delivery.pk)
        else:
            result.failed += 1
        return
    paper_pks = [papers[i["id"]].pk for i in delivery.papers if i["id"] in papers]
    before = delivery.reason.removeprefix("will retry: ")
    ledger.mark_sent(
        claim,
        subscriber_id=delivery.subscriber_id,
        message_id=message_id,
        paper_pks=paper_pks,
        note=f"sent on attempt {delivery.attempts + 1} after: {before}" if before else "",
    )
    result.sent += 1


def pending_batches(*, edition_ids: list[int]) -> list[list[int]]:
    ids = list(
        Delivery.objects.pending()
        .filter(edition_id__in=edition_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = settings.SEND_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


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
