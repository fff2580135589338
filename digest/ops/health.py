"""The checks behind /healthz: can we reach the database and the broker, and is work happening?

Each check returns a Check; the endpoint answers 200 only when all pass. The ingest check
fails when the newest successful ingest of any enabled source is older than
HEALTH_MAX_INGEST_AGE_HOURS; the edition check fails, per frequency with readers receiving
mail, when its latest edition is older than EDITION_MAX_AGE_DAYS (or there has never been one
and the first reader has waited that long), or when every send of it failed. The dashboard
shows this same report at the top, so the page and an uptime monitor never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerError

from digest.models import Delivery, Edition, Source
from subscriptions.models import Subscriber

# How old the latest edition of a frequency may be while readers of it receive mail: one
# schedule period plus one day of slack (an hourly job down for a day is worth a page).
EDITION_MAX_AGE_DAYS = {Edition.Frequency.DAILY: 2, Edition.Frequency.WEEKLY: 8}


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Check(False, f"unreachable: {error}")
    return Check(True, connection.vendor)


def check_broker(*, url: str | None = None) -> Check:
    url = url or settings.CELERY_BROKER_URL
    timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}))
    if not url.startswith("filesystem"):
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    broker = Connection(url, connect_timeout=timeout, transport_options=options)
    try:
        broker.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2, timeout=timeout
        )
    except (BrokerError, OSError) as error:  # OSError covers refused and timed out
        return Check(False, f"unreachable: {error}")
    finally:
        broker.release()
    return Check(True, url.split(":", 1)[0])  # the scheme only: the URL may hold a password


def check_ingest(*, now: dt.datetime) -> Check:
    enabled = Source.objects.filter(enabled=True)
    if not enabled.exists():
        return Check(True, "no enabled sources")
    last = enabled.aggregate(last=Max("last_success_at"))["last"]
    if last is None:
        return Check(False, "no successful ingest yet")
    hours = (now - last).total_seconds() / 3600
    limit = settings.HEALTH_MAX_INGEST_AGE_HOURS
    detail = f"last success {hours:.1f} h ago ({last:%Y-%m-%dT%H:%MZ}); limit {limit} h"
    return Check(hours <= limit, detail)


def check_edition(*, now: dt.datetime) -> Check:
    """Per frequency that has readers receiving mail: the latest edition is recent enough and
    not every send of it failed. A reader waits for a first edition without alarm for as long
    as the latest one may be old, so a fresh install is healthy."""
    today = now.date()
    problems, notes = [], []
    for frequency, max_age in EDITION_MAX_AGE_DAYS.items():
        readers = Subscriber.objects.receiving(today).filter(frequency=frequency)
        latest = Edition.objects.filter(frequency=frequency).order_by("-date", "-pk").first()
        if latest is None:
            first = readers.aggregate(first=Min(Coalesce("confirmed_at", "created_at")))["first"]
            if first is None:
                continue
            note = f"no {frequency} edition yet; readers since {first:%Y-%m-%d}"
            if (now - first).days > max_age:
                problems.append(note + f" (over {max_age} days)")
            else:
                notes.append(note)
            continue
        counts = Delivery.objects.filter(edition=latest).aggregate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        )
        note = f"{latest}: {counts['sent']} sent, {counts['failed']} failed"
        if counts["failed"] and not counts["sent"]:
            problems.append(note + " (every send failed)")
        elif (today - latest.date).days > max_age and readers.exists():
            problems.append(note + f" (older than {max_age} days)")
        else:
            notes.append(note)
    return Check(not problems, "; ".join(problems + notes) or "no readers, no edition yet")


def health_report(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    checks = {"database": check_database(), "broker": check_broker()}
    if checks["database"].ok:
        checks["ingest"] = check_ingest(now=now)
        checks["edition"] = check_edition(now=now)
    failing = [name for name, check in checks.items() if not check.ok]
    return {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {name: asdict(check) for name, check in checks.items()},
        "time": now.isoformat(),
    }
