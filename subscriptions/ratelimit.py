"""The per-IP limit on the sign-up and send-my-link forms, counted in the database.

The database because the count must be exact and shared by every web process whatever the
set-up: a file cache's increment is a read then a write (twenty simultaneous sign-ups let 14 of
a limit of 10 through), and with Redis away the cache raised and the forms answered 500. One
row per (network, hour), incremented with one conditional UPDATE: PostgreSQL's row lock and
SQLite's immediate write transaction (config/settings.py) serialise concurrent increments, and
each request reads back the count its own increment made.

An IPv4 address counts alone; an IPv6 address counts with its /64, the smallest block one
customer is given (whoever holds one address holds 2^64 of them).
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.db import IntegrityError, transaction
from django.db.models import F

from subscriptions.models import SubmissionCount


def network_of(ip: str) -> str:
    """ "203.0.113.7" stays itself; "2001:db8:1:2:a::1" becomes "2001:db8:1:2::/64"."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def count_submission(*, ip: str, now: dt.datetime, scope: str = "") -> int:
    """Count one submission from `ip`'s network this hour; return the count including it.
    `scope` keeps another limit's counts apart (the live preview's: "preview")."""
    network = f"{scope}:{network_of(ip)}" if scope else network_of(ip)
    hour = now.replace(minute=0, second=0, microsecond=0)
    rows = SubmissionCount.objects.filter(network=network, hour=hour)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    SubmissionCount.objects.create(network=network, hour=hour, count=1)
            except IntegrityError:  # a simultaneous first submission created the row
                rows.update(count=F("count") + 1)
        return rows.values_list("count", flat=True).get()


def purge_counts(*, before: dt.datetime) -> int:
    """Forget the counts of hours that ended before `before`."""
    return SubmissionCount.objects.filter(hour__lt=before - dt.timedelta(hours=1)).delete()[0]
