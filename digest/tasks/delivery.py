"""Delivery tasks, thin: ids and ISO dates in, safe to run twice, retry policy on decorators."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from digest import sending
from digest.delivery import retry_delay
from digest.delivery import send_batch as send_batch_now
from digest.webhooks import process_email_event as process_event_now


@shared_task(name="digest.send_due_digests")
def send_due_digests() -> int:
    return sending.send_due_digests()


@shared_task(name="digest.recover_deliveries")
def recover_deliveries() -> int:
    """Every RECOVERY_INTERVAL_SECONDS: resume editions a crash stopped (safe to run twice)."""
    return sending.resume_stalled_editions()


# A dropped database connection (failover, restart, a killed backend) retries the whole batch:
# rows it had not claimed are still pending and are sent by the retry; a row it had claimed is
# left `sending`/`handed_over` and the stale rule settles it (README.md, "Reliability").
DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRIES = 6


@shared_task(bind=True, name="digest.send_batch", max_retries=None)
def send_batch(self: Task, *, delivery_ids: list[int], database_retries: int = 0) -> dict[str, int]:
    """Send one batch. Rows that hit a transient error are retried, alone, after a back-off
    (exponential + jitter, capped far below the visibility timeout). Retries are bounded per
    row by Delivery.attempts (SEND_MAX_ATTEMPTS), so the task itself needs no limit; database
    errors are retried DATABASE_RETRIES times with the same back-off (Celery's fix-up closes the
    broken connection before the retry runs; CONN_HEALTH_CHECKS replaces a silently dead one)."""
    try:
        result = send_batch_now(delivery_ids=delivery_ids)
    except DATABASE_ERRORS as error:
        if database_retries >= DATABASE_RETRIES:
            raise
        raise self.retry(
            exc=error,
            kwargs={"delivery_ids": delivery_ids, "database_retries": database_retries + 1},
            countdown=retry_delay(database_retries + 1),
        ) from error
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
