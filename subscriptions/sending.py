"""Account mail at most once per address per window, claimed before it is sent.

Defence against subscription bombing (docs: "Against subscription bombing"): at most one
account mail per address per CONFIRMATION_RESEND_WINDOW_MINUTES, claimed with a conditional
UPDATE so two simultaneous sign-ups cannot both send. A mail server failure releases the claim,
so the task's retry can send.

Whatever happens, the visitor sees the same page: callers get an `Outcome` for tests and logs.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import smtplib

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from subscriptions import emails
from subscriptions.models import Subscriber

log = logging.getLogger(__name__)

Status = Subscriber.Status


class Outcome(enum.StrEnum):
    CONFIRMATION_SENT = "confirmation sent"
    MANAGE_LINK_SENT = "manage link sent"
    THROTTLED = "throttled: a mail went to this address within the window"
    NOTHING_SENT = "nothing sent"


class MailNotSent(Exception):
    """The mail server refused or was unreachable; the claim was released so a retry can send."""


def claim_mail_slot(subscriber: Subscriber, *, claim: str = "") -> bool:
    """Record that an account mail goes out now, unless one went within the window.

    A conditional UPDATE: of twenty simultaneous sign-ups for one address, exactly one claims.
    `claim` (the sending task's id) lets a redelivered copy of the same task claim again after
    a worker crash."""
    now = timezone.now()
    window_start = now - dt.timedelta(minutes=settings.CONFIRMATION_RESEND_WINDOW_MINUTES)
    free = Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=window_start)
    if claim:
        free |= Q(account_mail_claim=claim)
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(free)
        .update(confirmation_sent_at=now, account_mail_claim=claim)
    )
    if claimed:
        subscriber.confirmation_sent_at = now
    return bool(claimed)


def send_claimed(subscriber: Subscriber, message: emails.Mail) -> None:
    """Send after a claim; if the mail server fails, release the claim so a retry can send."""
    try:
        emails.send(message)
    except (smtplib.SMTPException, OSError) as error:
        Subscriber.objects.filter(
            pk=subscriber.pk, confirmation_sent_at=subscriber.confirmation_sent_at
        ).update(confirmation_sent_at=None, account_mail_claim="")
        log.warning(
            "account mail %s to subscriber %s failed: %s", message.kind, subscriber.pk, error
        )
        raise MailNotSent(str(error)) from error


def send_account_mail(subscriber: Subscriber, *, claim: str = "") -> Outcome:
    """The one account mail that fits the reader's state, at most once per window."""
    if subscriber.status == Status.SUPPRESSED:
        return Outcome.NOTHING_SENT
    if not claim_mail_slot(subscriber, claim=claim):
        return Outcome.THROTTLED
    if subscriber.status in (Status.PENDING, Status.UNSUBSCRIBED):
        send_claimed(subscriber, emails.confirmation_mail(subscriber))
        return Outcome.CONFIRMATION_SENT
    send_claimed(subscriber, emails.manage_link_mail(subscriber))
    return Outcome.MANAGE_LINK_SENT
