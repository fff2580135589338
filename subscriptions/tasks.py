from celery import shared_task

from subscriptions.consent import purge_stale_signups


@shared_task(name="subscriptions.purge_stale_signups")
def purge_stale_signups_task() -> dict[str, int]:
    """Safe to run twice: a second run finds nothing left to purge."""
    return purge_stale_signups()
