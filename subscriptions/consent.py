"""Consent: sign-up with double opt-in, confirmation, address changes, "send me my link", purge.

Defences against subscription bombing (README.md, "Against subscription bombing"): at most
one account mail per address per CONFIRMATION_RESEND_WINDOW_MINUTES (claimed with a
conditional UPDATE, so two simultaneous sign-ups cannot both send), a per-IP hourly limit
(subscriptions/account_mail.py), a honeypot handled by the form, and confirmation mail that
carries nothing the visitor typed.

Whatever happens, the visitor sees the same page: callers get an `Outcome` for tests and logs only.

`subscribe`, `send_manage_link` and `request_address_change` run in the account-mail worker
(subscriptions/tasks.py), never in a web request: they take the address's one-mail slot and
release it if sending fails.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from subscriptions import mail, ratelimit
from subscriptions.addresses import normalize_address, same_mailbox
from subscriptions.models import Subscriber, Topic
from subscriptions.signals import reader_confirmed
from subscriptions.tokens import (
    InvalidToken,
    confirmation_matches,
    confirmation_token,
    subscriber_id_from_confirmation,
)

log = logging.getLogger(__name__)

Status = Subscriber.Status


class Outcome(enum.StrEnum):
    CONFIRMATION_SENT = "confirmation sent"
    MANAGE_LINK_SENT = "manage link sent"
    THROTTLED = "throttled: a mail went to this address within the window"
    NOTHING_SENT = "nothing sent"


class MailNotSent(Exception):
    """The mail server refused or was unreachable; the claim was released so a retry can send."""


class AddressTaken(Exception):
    """Another reader already uses the address this change would move to."""


def _claim_mail_slot(subscriber: Subscriber, *, claim: str = "") -> bool:
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


def _send_claimed(subscriber: Subscriber, message: mail.Mail) -> None:
    """Send after a claim; if the mail server fails, release the claim so a retry can send."""
    try:
        mail.send(message)
    except (smtplib.SMTPException, OSError) as error:
        Subscriber.objects.filter(
            pk=subscriber.pk, confirmation_sent_at=subscriber.confirmation_sent_at
        ).update(confirmation_sent_at=None, account_mail_claim="")
        log.warning(
            "account mail %s to subscriber %s failed: %s", message.kind, subscriber.pk, error
        )
        raise MailNotSent(str(error)) from error


def confirmation_url(subscriber: Subscriber) -> str:
    return mail.absolute_url(
        reverse("subscriptions:confirm", args=[confirmation_token(subscriber)])
    )


def _confirmation_mail(subscriber: Subscriber) -> mail.Mail:
    # Deliberately only our own words and the link: nothing the visitor typed (not even topics).
    to = subscriber.pending_email or subscriber.email
    kind = "change_email" if subscriber.pending_email else "confirm"
    return mail.Mail(
        kind=kind,
        to=to,
        context={
            "confirm_url": confirmation_url(subscriber),
            "max_age_days": settings.CONFIRMATION_MAX_AGE_DAYS,
        },
        tags=["account"],
        metadata={"subscriber_id": str(subscriber.pk)},
    )


def _manage_link_mail(subscriber: Subscriber) -> mail.Mail:
    return mail.Mail(
        kind="manage_link",
        to=subscriber.email,
        context={"manage_url": mail.manage_url(subscriber), "status": subscriber.status},
        tags=["account"],
        metadata={"subscriber_id": str(subscriber.pk)},
    )


def _send_account_mail(subscriber: Subscriber, *, claim: str = "") -> Outcome:
    """The one account mail that fits the reader's state, at most once per window."""
    if subscriber.status == Status.SUPPRESSED:
        return Outcome.NOTHING_SENT
    if not _claim_mail_slot(subscriber, claim=claim):
        return Outcome.THROTTLED
    if subscriber.status in (Status.PENDING, Status.UNSUBSCRIBED):
        _send_claimed(subscriber, _confirmation_mail(subscriber))
        return Outcome.CONFIRMATION_SENT
    _send_claimed(subscriber, _manage_link_mail(subscriber))
    return Outcome.MANAGE_LINK_SENT


def subscribe(
    *,
    email: str,
    topics: Iterable[Topic],
    interests: str,
    exclusions: str,
    frequency: str,
    weekday: int,
    send_hour: int,
    timezone: str,
    max_papers: int,
    claim: str = "",
) -> Outcome:
    """A visitor asked to subscribe (run by the account-mail task; the form's IP address was
    counted by `account_mail.queue_signup`). Sends a confirmation (or, if already subscribed,
    the manage link) at most once per window.

    An anonymous form never changes an existing reader's stored choices: they are stored
    directly only for a sign-up nobody has confirmed yet; for an unsubscribed reader they wait
    in `pending_choices` until the address owner confirms (a Resubscribe restores the reader's
    own); an active or paused reader's are ignored (they get their manage link)."""
    email = normalize_address(email)
    choices = {
        "interests": interests.strip(),
        "exclusions": exclusions.strip(),
        "frequency": frequency,
        "weekday": weekday,
        "send_hour": send_hour,
        "timezone": timezone,
        "max_papers": max_papers,
    }
    topics = list(topics)
    with transaction.atomic():
        subscriber = Subscriber.objects.by_email(email).select_for_update().first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, **choices)
            except IntegrityError:  # a simultaneous sign-up for the same address won the race
                subscriber = Subscriber.objects.by_email(email).select_for_update().get()
        if subscriber.status == Status.PENDING and subscriber.confirmed_at is None:
            _apply_choices(subscriber, {**choices, "topics": [t.pk for t in topics]})
        elif subscriber.status == Status.UNSUBSCRIBED:
            subscriber.pending_choices = {**choices, "topics": [t.pk for t in topics]}
            subscriber.save(update_fields=["pending_choices", "updated_at"])
    return _send_account_mail(subscriber, claim=claim)


def _apply_choices(subscriber: Subscriber, choices: dict) -> None:
    """Store sign-up choices (as `subscribe` collects them, topics as ids) on the reader."""
    values = {name: value for name, value in choices.items() if name != "topics"}
    for name, value in values.items():
        setattr(subscriber, name, value)
    subscriber.pending_choices = {}
    subscriber.save(update_fields=[*values, "pending_choices", "updated_at"])
    subscriber.topics.set(Topic.objects.filter(pk__in=choices.get("topics", [])))


def send_manage_link(*, email: str, claim: str = "") -> Outcome:
    """'Send me my link' (run by the account-mail task). A pending reader gets the
    confirmation instead; an unknown address gets nothing."""
    subscriber = Subscriber.objects.by_email(normalize_address(email)).first()
    if subscriber is None:
        return Outcome.NOTHING_SENT
    return _send_account_mail(subscriber, claim=claim)


def subscriber_for_confirmation(token: str) -> Subscriber:
    """The reader a confirmation token names, if the token is genuine, fresh and unused."""
    subscriber_id, state = subscriber_id_from_confirmation(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not confirmation_matches(subscriber, state):
        raise InvalidToken("used or superseded confirmation token")
    if subscriber.status == Status.SUPPRESSED:
        raise InvalidToken("suppressed address")
    if not subscriber.pending_email and subscriber.status not in (
        Status.PENDING,
        Status.UNSUBSCRIBED,
    ):
        raise InvalidToken("already confirmed")
    return subscriber


def confirm(token: str) -> Subscriber:
    """Confirm a sign-up or an address change. Single-use: confirming changes the signed state.

    Raises InvalidToken (tampered, expired, used, other purpose) or AddressTaken."""
    subscriber_id, _ = subscriber_id_from_confirmation(token)
    with transaction.atomic():
        # Lock first, then check: of two simultaneous confirmations only one matches.
        Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        subscriber = subscriber_for_confirmation(token)
        now = timezone.now()
        if subscriber.pending_email:
            new_email = subscriber.pending_email
            if Subscriber.objects.by_email(new_email).exclude(pk=subscriber.pk).exists():
                raise AddressTaken(new_email)
            subscriber.email = new_email
            subscriber.pending_email = ""
            subscriber.confirmed_at = now
            subscriber.save(update_fields=["email", "pending_email", "confirmed_at", "updated_at"])
            return subscriber
        if subscriber.pending_choices:  # a sign-up for this address: its owner says yes
            _apply_choices(subscriber, subscriber.pending_choices)
        subscriber.status = Status.ACTIVE
        subscriber.confirmed_at = now
        subscriber.unsubscribed_at = None
        subscriber.paused_until = None
        fields = ["status", "confirmed_at", "unsubscribed_at", "paused_until", "updated_at"]
        subscriber.save(update_fields=fields)
        subscriber_id = subscriber.pk
        transaction.on_commit(
            lambda: reader_confirmed.send(sender=Subscriber, subscriber_id=subscriber_id)
        )
    return subscriber


def request_address_change(*, subscriber: Subscriber, new_email: str, claim: str = "") -> Outcome:
    """Send a confirmation to the new address; the old one stays until it is confirmed.

    An address another reader already uses gets no mail (and the page says the same thing)."""
    new_email = normalize_address(new_email)
    if same_mailbox(new_email, subscriber.email):
        Subscriber.objects.filter(pk=subscriber.pk).update(pending_email="")
        subscriber.pending_email = ""
        return Outcome.NOTHING_SENT
    if Subscriber.objects.by_email(new_email).exists():
        return Outcome.NOTHING_SENT
    if not _claim_mail_slot(subscriber, claim=claim):
        return Outcome.THROTTLED
    subscriber.pending_email = new_email
    subscriber.save(update_fields=["pending_email", "updated_at"])
    _send_claimed(subscriber, _confirmation_mail(subscriber))
    return Outcome.CONFIRMATION_SENT


def purge_stale_signups(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete sign-ups never confirmed within the link lifetime; drop expired address changes."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.CONFIRMATION_MAX_AGE_DAYS)
    stale = (
        Subscriber.objects.filter(status=Status.PENDING, confirmed_at__isnull=True)
        .annotate(last_mail=Coalesce("confirmation_sent_at", "created_at"))
        .filter(last_mail__lt=cutoff)
    )
    deleted = (
        Subscriber.objects.filter(pk__in=stale.values("pk"))
        .delete()[1]
        .get(Subscriber._meta.label, 0)
    )
    cleared = (
        Subscriber.objects.exclude(pending_email="")
        .filter(confirmation_sent_at__lt=cutoff)
        .update(pending_email="")
    )
    counts = ratelimit.purge_counts(before=now)
    return {"deleted": deleted, "address_changes_expired": cleared, "rate_counts_deleted": counts}


def add_reader(
    *,
    email: str,
    topic_slugs: list[str] | None = None,
    interests: str | None = None,
    exclusions: str | None = None,
    frequency: str | None = None,
    confirmed: bool = False,
) -> tuple[Subscriber, bool, Outcome]:
    """The operator adds or updates a reader from the shell. Only the given values change.

    `confirmed` makes the reader active without any mail (the operator vouches for consent);
    otherwise a new or unconfirmed reader gets the confirmation mail, once per window, so running
    the command twice sends one mail. A suppressed address stays suppressed."""
    topics = None
    if topic_slugs is not None:
        topics = list(Topic.objects.filter(slug__in=topic_slugs))
        unknown = sorted(set(topic_slugs) - {topic.slug for topic in topics})
        if unknown:
            raise ValueError(f"unknown topic slug(s): {', '.join(unknown)}")
    if frequency is not None and frequency not in Subscriber.Frequency.values:
        raise ValueError(f"frequency must be one of {', '.join(Subscriber.Frequency.values)}")
    changes = {
        name: value
        for name, value in {
            "interests": interests,
            "exclusions": exclusions,
            "frequency": frequency,
        }.items()
        if value is not None
    }
    email = normalize_address(email)
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email__iexact=email,
            defaults={"email": email, **changes},
        )
        for name, value in changes.items():
            setattr(subscriber, name, value)
        if confirmed and subscriber.status in (Status.PENDING, Status.UNSUBSCRIBED):
            subscriber.status = Status.ACTIVE
            subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
            subscriber.unsubscribed_at = None
        subscriber.save()
        if topics is not None:
            subscriber.topics.set(topics)
    if confirmed or subscriber.status not in (Status.PENDING, Status.UNSUBSCRIBED):
        return subscriber, created, Outcome.NOTHING_SENT
    return subscriber, created, _send_account_mail(subscriber)
