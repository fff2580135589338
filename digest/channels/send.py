"""One batch of the channel ledger, posted: each ChannelPost goes out at most once.

For each row: render the platform's message, decrypt the URL, claim the row, hand it over
(committed just before the request) and mark it sent on a 2xx. A 429/5xx or a failed connect
puts it back for a retry (the task retries the batch after a back-off); 401/403/404/410 fails
it and disables the channel with a note the reader sees; no answer after the request left
fails it as ambiguous, never reposted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils import timezone

from digest.channels import ledger
from digest.channels.content import channel_digest, test_post_digest
from digest.channels.formats import message_for
from digest.channels.post import Outcome, Result, post_json
from digest.models import ChannelPost, Paper
from subscriptions import channel_urls, channels
from subscriptions.models import Channel

log = logging.getLogger(__name__)


@dataclass
class PostResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    not_claimed: int = 0
    retry: list[int] = field(default_factory=list)
    retry_after: float | None = None  # the longest wait a platform asked for (429)


def gone_note(channel: Channel, outcome: Outcome) -> str:
    """What the reader reads under a disabled channel: what happened, when, what to do."""
    when = timezone.now().strftime("%-d %B %Y")
    if outcome.status is None:  # refused by the address guard, not answered by the platform
        return (
            f"On {when} the webhook's host ({outcome.detail}): we no longer post there. "
            "Add the channel again with a public webhook URL."
        )
    return (
        f"{channel.get_kind_display()} {outcome.detail} on {when}: the webhook was removed or "
        "its link revoked. Add the channel again with a new webhook URL."
    )


def _record(post: ChannelPost, claim: ledger.Claim, outcome: Outcome, result: PostResult) -> None:
    channel = post.channel
    masked = channel.url_masked
    if outcome.result is Result.SENT:
        ledger.mark_sent(claim, note=f"{outcome.detail} on attempt {post.attempts + 1}")
        result.sent += 1
        return
    log.warning("channel post %s to %s: %s", post.pk, masked, outcome.detail)
    if outcome.result is Result.RETRY:
        if ledger.release(claim, reason=outcome.detail):
            result.retry.append(post.pk)
            if outcome.retry_after is not None:
                result.retry_after = max(result.retry_after or 0.0, outcome.retry_after)
            return
    elif outcome.result is Result.AMBIGUOUS:
        ledger.settle_ambiguous(claim, reason=outcome.detail)
    elif outcome.result is Result.GONE:
        ledger.fail(claim, reason=f"channel disabled: {outcome.detail}")
        channels.disable(channel_id=channel.pk, reason=gone_note(channel, outcome))
    else:
        ledger.fail(claim, reason=outcome.detail)
    result.failed += 1


def post_batch(*, post_ids: list[int]) -> PostResult:
    """Post each pending row among `post_ids` that this call manages to claim."""
    result = PostResult()
    posts = list(
        ChannelPost.objects.filter(pk__in=post_ids, status=ChannelPost.Status.PENDING)
        .select_related(
            "channel", "edition", "delivery", "delivery__subscriber", "delivery__edition"
        )
        .order_by("pk")
    )
    result.not_claimed = len(set(post_ids)) - len(posts)
    wanted = {item["id"] for post in posts for item in post.delivery.papers}
    papers = {p.canonical_id: p for p in Paper.objects.filter(canonical_id__in=wanted)}
    for post in posts:
        message = message_for(post.channel.kind, channel_digest(post.delivery, papers=papers))
        claim = ledger.claim(post.pk, receiving_on=post.edition.date)
        if claim is None:
            if ledger.skip_if_unwanted(post.pk, receiving_on=post.edition.date):
                result.skipped += 1
            else:
                result.not_claimed += 1
            continue
        try:
            url = channel_urls.decrypt(post.channel.url_encrypted)
        except channel_urls.InvalidToken:
            ledger.fail(claim, reason="the URL cannot be decrypted: CHANNEL_KEY changed?")
            result.failed += 1
            continue
        outcome = post_json(url, message, before_send=lambda claim=claim: ledger.hand_over(claim))
        if outcome.result is Result.FENCED:
            result.not_claimed += 1
            continue
        _record(post, claim, outcome, result)
    return result


def send_test_post(*, channel_id: int) -> str:
    """The reader's "send a test post": posted at once, not through the ledger (no edition),
    its result shown on the preferences page; a gone webhook disables the channel."""
    channel = Channel.objects.filter(pk=channel_id, status=Channel.Status.ACTIVE).first()
    if channel is None:
        return "no such active channel"
    message = message_for(channel.kind, test_post_digest(channel.subscriber))
    try:
        url = channel_urls.decrypt(channel.url_encrypted)
    except channel_urls.InvalidToken:
        outcome = Outcome(Result.REFUSED, "the stored URL cannot be decrypted")
    else:
        outcome = post_json(url, message, before_send=lambda: True)
    at = timezone.now().strftime("%H:%M UTC on %-d %B")
    if outcome.result is Result.SENT:
        note = f"Test post delivered at {at}."
    elif outcome.result is Result.GONE:
        channels.disable(channel_id=channel.pk, reason=gone_note(channel, outcome))
        note = f"Test post failed at {at}: {outcome.detail}."
    else:
        note = f"Test post failed at {at}: {outcome.detail}. Try again in a minute."
    channels.record_test_result(channel_id=channel.pk, result=note)
    log.info("channel test post to %s: %s", channel.url_masked, outcome.detail)
    return note
