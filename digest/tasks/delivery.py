"""Delivery tasks, thin: ids and ISO dates in, safe to run twice, retry policy on decorators."""

from __future__ import annotations

from celery import Task, shared_task

from digest import sending
from digest.delivery import retry_delay
from digest.delivery import send_batch as send_batch_now
from digest.webhooks import process_email_event as process_event_now


@shared_task(name="digest.send_due_digests")
def send_due_digests() -> int:
    return sending.send_due_digests()


@shared_task(bind=True, name="digest.send_batch", max_retries=None)
def send_batch(self: Task, *, delivery_ids: list[int]) -> dict[str, int]:
    """Send one batch. Rows that hit a transient error are retried, alone, after a back-off
    (exponential + jitter, capped far below the visibility timeout). Retries are bounded per
    row by Delivery.attempts (SEND_MAX_ATTEMPTS), so the task itself needs no limit."""
    result = send_batch_now(delivery_ids=delivery_ids)
    if result.retry:
        raise self.retry(
            kwargs={"delivery_ids": result.retry},
            countdown=retry_delay(self.request.retries + 1),
        )
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}


@shared_task(name="digest.send_welcome_digest")
def send_welcome_digest(subscriber_id: int) -> dict[str, int]:
    result = sending.send_welcome_digest(subscriber_id=subscriber_id)
    if result.retry:
        send_batch.apply_async(kwargs={"delivery_ids": result.retry}, countdown=retry_delay(1))
    return {"sent": result.sent, "failed": result.failed}


@shared_task(name="digest.process_email_event")
def process_email_event(event_id: int) -> None:
    process_event_now(event_pk=event_id)
