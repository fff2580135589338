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
