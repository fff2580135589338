"""A reader's digest as plain data for a channel: the papers of their Delivery row, in order,
each with the reasons it matched, the way the email words them (digest/delivery/message.py)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from digest.channels.formats import ChannelDigest, PaperItem
from digest.delivery.message import paper_parts, view_url, why_line
from digest.models import Delivery, Edition, Paper
from subscriptions.emails import absolute_url
from subscriptions.models import Subscriber
from subscriptions.tokens import subscriber_token


def manage_url(subscriber: Subscriber) -> str:
    token = subscriber_token("manage", subscriber)
    return absolute_url(reverse("subscriptions:manage", args=[token])) + "#channels"


def heading(edition: Edition, count: int) -> str:
    papers = f"{count} paper{'s' if count != 1 else ''}"
    if edition.frequency == Edition.Frequency.DAILY:
        return f"{settings.SITE_NAME}: {papers} for {edition.date:%A %-d %B}"
    return f"{settings.SITE_NAME}: {papers} for the week to {edition.date:%-d %B}"


def channel_digest(delivery: Delivery, *, papers: dict[str, Paper]) -> ChannelDigest:
    weekly = delivery.edition.frequency != Edition.Frequency.DAILY
    items = []
    for item in delivery.papers:
        paper = papers.get(item["id"])
        if paper is None:
            continue
        parts = paper_parts(paper, weekly=weekly)
        meta = " · ".join(part for part in (parts["authors"], parts["stats"]) if part)
        items.append(
            PaperItem(
                title=parts["title"],
                url=parts["paper_url"],
                why=why_line(item.get("why", "")),
                meta=meta,
            )
        )
    return ChannelDigest(
        heading=heading(delivery.edition, len(items)),
        papers=items,
        manage_url=manage_url(delivery.subscriber),
        more_url=view_url(delivery.pk),
    )


def test_post_digest(subscriber: Subscriber) -> ChannelDigest:
    """What "send a test post" posts: no papers, a note saying what is coming."""
    return ChannelDigest(
        heading=f"{settings.SITE_NAME}: test post",
        papers=[],
        manage_url=manage_url(subscriber),
        note="This channel is set up: your digests will be posted here, beside your email.",
    )
