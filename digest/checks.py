"""System checks for unsafe delivery settings, shown by `manage.py check --deploy`."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from config.esp import webhook_problem


@checks.register(checks.Tags.security, deploy=True)
def check_tracking_webhook_is_authenticated(**kwargs: object) -> list[checks.CheckMessage]:
    problem = webhook_problem(email_backend=settings.EMAIL_BACKEND, anymail=settings.ANYMAIL)
    if problem is None:
        return []
    return [
        checks.Error(
            problem,
            hint="Until then the tracking webhook is not mounted: bounces and complaints are "
            "not recorded. Production refuses to start.",
            id="paperboy.E001",
        )
    ]


# Every reader's digest within this long of a crash (docs/reliability.md).
RECOVERY_TARGET_MINUTES = 10


@checks.register(checks.Tags.security, deploy=True)
def check_delivery_settings(**kwargs: object) -> list[checks.CheckMessage]:
    from digest.tasks import MAX_RATE_LIMIT_WAIT

    found: list[checks.CheckMessage] = []
    recovery = settings.SENDING_STALE_MINUTES + settings.RECOVERY_INTERVAL_SECONDS / 60
    if recovery > RECOVERY_TARGET_MINUTES:
        found.append(
            checks.Warning(
                f"SENDING_STALE_MINUTES + RECOVERY_INTERVAL_SECONDS is {recovery:g} minutes: "
                f"after a crash, digests could wait longer than {RECOVERY_TARGET_MINUTES}",
                id="paperboy.W002",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        found.append(
            checks.Warning(
                "CELERY_TASK_ALWAYS_EAGER runs account mail inside web requests: their timing "
                "tells who subscribes, and a hung mail relay ties up the web workers",
                id="paperboy.W003",
            )
        )
    if settings.CHANNEL_ALLOW_LOOPBACK_HTTP:
        found.append(
            checks.Warning(
                "CHANNEL_ALLOW_LOOPBACK_HTTP lets a reader's webhook reach this machine over "
                "plain http: it is for tests only",
                id="paperboy.W005",
            )
        )
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    longest = max(MAX_RATE_LIMIT_WAIT, settings.SEND_RETRY_MAX_SECONDS)
    if timeout is not None and timeout <= 2 * longest:
        found.append(
            checks.Warning(
                f"CELERY_VISIBILITY_TIMEOUT ({timeout} s) is not well above the longest retry "
                f"countdown ({longest:g} s): Redis would hand waiting tasks to a second worker",
                id="paperboy.W004",
            )
        )
    return found
