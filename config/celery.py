"""The Celery app. Exactly one `celery -A config beat` runs; any number of workers share Redis."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("paperboy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_periodic_tasks(sender: Celery, **kwargs) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = {
        "ingest-enabled-sources": {
            "task": "digest.ingest_all_sources",
            "schedule": crontab(minute=0, hour=settings.INGEST_HOUR),
        },
        "recompute-trending": {
            "task": "digest.recompute_trending",
            "schedule": crontab(minute=30),
        },
        # Hourly: each reader is sent at their chosen hour in their own time zone.
        "send-due-digests": {
            "task": "digest.send_due_digests",
            "schedule": crontab(minute=5),
        },
        # Every two minutes: an edition a crash stopped resumes within minutes.
        "recover-deliveries": {
            "task": "digest.recover_deliveries",
            "schedule": settings.RECOVERY_INTERVAL_SECONDS,
        },
        "close-stale-ingest-runs": {
            "task": "digest.close_stale_ingest_runs",
            "schedule": crontab(minute="*/10"),
        },
        "purge-stale-signups": {
            "task": "subscriptions.purge_stale_signups",
            "schedule": crontab(minute=15, hour=3),
        },
    }
