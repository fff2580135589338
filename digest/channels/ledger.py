"""The channel ledger's state changes: every step is a conditional UPDATE on one ChannelPost.

pending --claim--> sending --hand over--> handed_over --2xx--> sent
   ^                  |                       |
   +-- 429/5xx, or ---+-----------------------+   (nothing was posted, or the platform said
   |   no connection                              "later"; failed after SEND_MAX_ATTEMPTS)
   |                                          +-- no answer --> failed (ambiguous, never reposted)
   |                                          +-- 404/410 (401/403) --> failed, channel disabled
   +-- reader stopped receiving mail, or channel disabled --> skipped

The same rules as the email ledger (digest/delivery/ledger.py): `handed_over` is committed just
before the HTTP request starts, so a crash before it leaves `sending` (nothing posted: the
stale rule puts it back to pending) and a crash after it leaves `handed_over` (the platform may
have it: failed as ambiguous, at-most-once, since webhooks take no idempotency key). Each claim
is fenced by its `claimed_at`, so a poster the stale rule overtook matches nothing afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

# release and fail: the email ledger's rules, applied to this ledger's claims (re-exported)
from digest.delivery.ledger import fail as fail
from digest.delivery.ledger import release as release
from digest.models import ChannelPost
from subscriptions.models import Channel, Subscriber

log = logging.getLogger(__name__)

Status = ChannelPost.Status
AMBIGUOUS_REASON = "ambiguous after crash: may have been posted, not reposted (at-most-once)"
RESENT_REASON = "reposted after crash: the request had not started"


@dataclass(frozen=True)
class Claim:
    post_id: int
    claimed_at: dt.datetime

    def row(self, *statuses: str) -> QuerySet[ChannelPost]:
        return ChannelPost.objects.filter(
            pk=self.post_id, claimed_at=self.claimed_at, status__in=statuses
        )


def _wanted(post_id: int, *, receiving_on: dt.date) -> QuerySet[ChannelPost]:
    """The row, if its channel is active and its reader still receives mail (the same
    unsubscribe and pause controls as the email)."""
    receiving = Subscriber.objects.receiving(receiving_on).values("pk")
    return ChannelPost.objects.filter(
        pk=post_id,
        status=Status.PENDING,
        channel__status=Channel.Status.ACTIVE,
        channel__subscriber__in=receiving,
    )


def claim(post_id: int, *, receiving_on: dt.date) -> Claim | None:
    """pending -> sending; only the caller whose UPDATE changed the row may post it."""
    now = timezone.now()
    changed = _wanted(post_id, receiving_on=receiving_on).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    return Claim(post_id, now) if changed else None


def skip_if_unwanted(post_id: int, *, receiving_on: dt.date) -> bool:
    """pending -> skipped when the channel was disabled or the reader stopped receiving."""
    pending = ChannelPost.objects.filter(pk=post_id, status=Status.PENDING)
    wanted = _wanted(post_id, receiving_on=receiving_on).values("pk")
    return bool(
        pending.exclude(pk__in=wanted).update(
            status=Status.SKIPPED, reason="channel disabled or reader no longer receiving"
        )
    )


def hand_over(claim: Claim) -> bool:
    """sending -> handed_over, committed before the request's first byte leaves."""
    return bool(claim.row(Status.SENDING).update(status=Status.HANDED_OVER))


def mark_sent(claim: Claim, *, note: str = "") -> bool:
    return bool(
        claim.row(Status.HANDED_OVER).update(
            status=Status.SENT, sent_at=timezone.now(), reason=note[:300]
        )
    )


def settle_ambiguous(claim: Claim, *, reason: str) -> None:
    claim.row(Status.HANDED_OVER).update(
        status=Status.FAILED, reason=f"ambiguous: {reason}; not reposted (at-most-once)"[:300]
    )


@dataclass(frozen=True)
class Recovery:
    reposted: int
    ambiguous: int


def recover_stuck_posts(*, now: dt.datetime | None = None) -> Recovery:
    """Rows a crash left behind (claimed over SENDING_STALE_MINUTES ago): `sending` never
    started its request, so it goes back to pending; `handed_over` may have been posted, so it
    is failed as ambiguous and never reposted (a room missing one digest beats two copies)."""
    now = now or timezone.now()
    stale = ChannelPost.objects.filter(
        claimed_at__lt=now - dt.timedelta(minutes=settings.SENDING_STALE_MINUTES)
    )
    reposted = stale.filter(status=Status.SENDING).update(
        status=Status.PENDING, reason=RESENT_REASON
    )
    ambiguous = stale.filter(status=Status.HANDED_OVER).update(
        status=Status.FAILED, reason=AMBIGUOUS_REASON
    )
    if reposted or ambiguous:
        log.warning("after a crash: %s channel posts reposted, %s ambiguous", reposted, ambiguous)
    return Recovery(reposted=reposted, ambiguous=ambiguous)
