"""The web side of account mail: count the IP address, queue one task after commit.

Account mail (confirmation, manage link, address change) never leaves from a web request. The
views call `queue_signup`, `queue_manage_link` or `queue_address_change`, which count the
form's IP address and queue one task on the `account` queue after commit, whatever the
address: known, unknown, pending, unsubscribed or suppressed, a request costs the same SQL and
the same one task, so its timing tells nobody who subscribes. The task (subscriptions/tasks.py)
then runs the service function that looks the address up and sends.
"""

from __future__ import annotations

import logging

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from subscriptions import ratelimit, tasks
from subscriptions.choices import Choices

log = logging.getLogger(__name__)


class RateLimited(Exception):
    """Too many sign-ups from one IP address this hour."""


def check_ip_rate(ip: str) -> None:
    """Count one form submission from `ip`; raise RateLimited past the hourly limit."""
    if not ip:
        return
    if ratelimit.count_submission(ip=ip, now=timezone.now()) > settings.SIGNUP_RATE_PER_IP_PER_HOUR:
        raise RateLimited(ip)


def _enqueue(task: Task, kwargs: dict) -> None:
    """Queue an account-mail task once the current transaction commits (at once outside one).

    With the broker away the mail is sent here instead, with a warning: signing up keeps
    working through a Redis outage, at the cost of equal timing while it lasts."""

    def send() -> None:
        try:
            task.apply_async(kwargs=kwargs)
        except KombuOperationalError as error:
            log.warning("broker unavailable (%s): running %s in the request", error, task.name)
            task.apply(kwargs=kwargs)

    transaction.on_commit(send)


def queue_signup(*, email: str, choices: Choices, ip: str) -> None:
    """The sign-up form's call: count the IP address, queue the sign-up (services.subscribe)."""
    check_ip_rate(ip)
    _enqueue(tasks.sign_up, {"email": email, **choices.to_json()})


def queue_manage_link(*, email: str, ip: str) -> None:
    """ "Send me my link": count the IP address, queue the lookup and the mail
    (services.send_manage_link)."""
    check_ip_rate(ip)
    _enqueue(tasks.send_manage_link, {"email": email})


def queue_address_change(*, subscriber_id: int, new_email: str) -> None:
    """The preferences centre's "change address": queue it (services.request_address_change)."""
    _enqueue(tasks.change_address, {"subscriber_id": subscriber_id, "new_email": new_email})
