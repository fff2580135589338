"""What readers do: subscribe, confirm, change address, change settings, pause, resume,
unsubscribe, resubscribe, undo feedback; and the housekeeping purge.

Sign-up is double opt-in. `subscribe`, `send_manage_link` and `request_address_change` run in
the account-mail worker (subscriptions/tasks.py), never in a web request; the mail itself goes
through subscriptions/sending.py (once per address per window). Everything a reader holding a
signed link may do is a conditional UPDATE, so repeating it changes nothing; changes apply to
the next edition (editions read these fields when they are built).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone as django_timezone

from subscriptions import emails, ratelimit
from subscriptions.addresses import normalize_address, same_mailbox
from subscriptions.choices import Choices
from subscriptions.models import Feedback, Subscriber
from subscriptions.sending import Outcome, claim_mail_slot, send_account_mail, send_claimed
from subscriptions.signals import reader_confirmed
from subscriptions.tokens import (
    InvalidToken,
    confirmation_matches,
    subscriber_id_from_confirmation,
)

Status = Subscriber.Status


class AddressTaken(Exception):
    """Another reader already uses the address this change would move to."""


def subscribe(*, email: str, choices: Choices, claim: str = "") -> Outcome:
    """A visitor asked to subscribe (run by the account-mail task; the form's IP address was
    counted by `account_mail.queue_signup`). Sends a confirmation (or, if already subscribed,
    the manage link) at most once per window.

    An anonymous form never changes an existing reader's stored choices: they are stored
    directly only for a sign-up nobody has confirmed yet; for an unsubscribed reader they wait
    in `pending_choices` until the address owner confirms (a Resubscribe restores the reader's
    own); an active or paused reader's are ignored (they get their manage link)."""
    email = normalize_address(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.by_email(email).select_for_update().first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email)
            except IntegrityError:  # a simultaneous sign-up for the same address won the race
                subscriber = Subscriber.objects.by_email(email).select_for_update().get()
        if subscriber.status == Status.PENDING and subscriber.confirmed_at is None:
            choices.apply(subscriber)
        elif subscriber.status == Status.UNSUBSCRIBED:
            subscriber.pending_choices = choices.to_json()
            subscriber.save(update_fields=["pending_choices", "updated_at"])
    return send_account_mail(subscriber, claim=claim)


def send_manage_link(*, email: str, claim: str = "") -> Outcome:
    """'Send me my link' (run by the account-mail task). A pending reader gets the
    confirmation instead; an unknown address gets nothing."""
    subscriber = Subscriber.objects.by_email(normalize_address(email)).first()
    if subscriber is None:
        return Outcome.NOTHING_SENT
    return send_account_mail(subscriber, claim=claim)


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
        now = django_timezone.now()
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
            Choices.from_json(subscriber.pending_choices).apply(subscriber)
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
    if not claim_mail_slot(subscriber, claim=claim):
        return Outcome.THROTTLED
    subscriber.pending_email = new_email
    subscriber.save(update_fields=["pending_email", "updated_at"])
    send_claimed(subscriber, emails.confirmation_mail(subscriber))
    return Outcome.CONFIRMATION_SENT


def purge_stale_signups(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete sign-ups never confirmed within the link lifetime; drop expired address changes."""
    now = now or django_timezone.now()
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


def unsubscribe(*, subscriber_id: int) -> bool:
    """Stop all mail at once. Idempotent; returns whether this call changed anything."""
    changed = Subscriber.objects.filter(
        pk=subscriber_id, status__in=[Status.PENDING, Status.ACTIVE, Status.PAUSED]
    ).update(
        status=Status.UNSUBSCRIBED,
        unsubscribed_at=django_timezone.now(),
        paused_until=None,
        updated_at=django_timezone.now(),
    )
    return bool(changed)


def resubscribe(*, subscriber_id: int) -> bool:
    """Undo an unsubscribe from a signed link. The link proves the reader reads this address,
    so an address confirmed before comes back at once, with the reader's own choices (any
    waiting from an anonymous sign-up are dropped); a suppressed address never does."""
    changed = Subscriber.objects.filter(
        pk=subscriber_id, status=Status.UNSUBSCRIBED, confirmed_at__isnull=False
    ).update(
        status=Status.ACTIVE,
        unsubscribed_at=None,
        pending_choices={},
        updated_at=django_timezone.now(),
    )
    return bool(changed)


def pause(*, subscriber_id: int, until: dt.date) -> bool:
    """No mail before `until`; digests start again on that date by themselves. Also offered
    instead of unsubscribing, so a confirmed reader who just unsubscribed may pause instead."""
    changed = (
        Subscriber.objects.filter(pk=subscriber_id)
        .filter(
            Q(status__in=[Status.ACTIVE, Status.PAUSED])
            | Q(status=Status.UNSUBSCRIBED, confirmed_at__isnull=False)
        )
        .update(
            status=Status.PAUSED,
            paused_until=until,
            unsubscribed_at=None,
            updated_at=django_timezone.now(),
        )
    )
    return bool(changed)


def resume(*, subscriber_id: int) -> bool:
    changed = Subscriber.objects.filter(pk=subscriber_id, status=Status.PAUSED).update(
        status=Status.ACTIVE, paused_until=None, updated_at=django_timezone.now()
    )
    return bool(changed)


def update_preferences(*, subscriber: Subscriber, choices: Choices) -> Subscriber:
    with transaction.atomic():
        choices.apply(subscriber)
    return subscriber


def undo_feedback(*, subscriber_id: int, feedback_id: int) -> bool:
    """Forget one "more/less like this"; only the reader's own feedback can be removed."""
    deleted, _ = Feedback.objects.filter(pk=feedback_id, subscriber_id=subscriber_id).delete()
    return bool(deleted)
