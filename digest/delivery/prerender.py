"""Many readers' digests, rendered cheaply: each paper's card once, the page around it once.

A paper's card (templates/email/_digest_card.{html,txt}) is rendered once with slots for the
reader's parts (why it matched, the signed more/less-like-this links) and its HTML CSS-inlined
once, as a fragment styled by templates/email/_digest.css. The digest triple (the shell: header,
footer, subject) is rendered and inlined once per paper count, with slots for the reader's
topics, links and address. A reader's digest is these pieces joined with the reader's values,
which `emails.Slotted.fill` escapes for HTML. Text from a feed only ever passes through the
autoescaping card templates; what they produced is then our own trusted output. The result is
the email the templates render whole (tests/delivery/test_prerendered_digest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from digest.delivery.message import feedback_url, static_card, topics_label, view_url
from digest.models import Delivery, Edition, Paper
from subscriptions import emails
from subscriptions.models import Feedback, Subscriber

_CARD_SLOTS = {
    "why": emails.slot("why"),
    "more_url": emails.slot("more"),
    "less_url": emails.slot("less"),
}


@dataclass(frozen=True)
class CardParts:
    text: emails.Slotted
    html: emails.Slotted


@lru_cache(maxsize=2048)
def _render_card(card: object, css: str) -> CardParts:
    """Keyed by the card's own fields (a frozen dataclass): same paper text, same output."""
    return CardParts(
        text=emails.render_slotted("email/_digest_card.txt", {"card": card}),
        html=emails.render_slotted("email/_digest_card.html", {"card": card}, css=css),
    )


@lru_cache(maxsize=256)
def _render_shell(
    *,
    count: int,
    date: object,
    frequency: str,
    site_name: str,
    site_url: str,
    postal_address: str,
) -> emails.Prerendered:
    return emails.prerender(
        "digest",
        {
            "SITE_NAME": site_name,
            "SITE_URL": site_url,
            "postal_address": postal_address,
            "count": count,
            "date": date,
            "welcome": frequency == Edition.Frequency.WELCOME,
            "weekly": frequency == Edition.Frequency.WEEKLY,
            "cards_slot": emails.slot("cards"),
            **{name: emails.slot(name) for name in _SHELL_SLOTS},
        },
    )


_SHELL_SLOTS = ("topics_label", "view_url", "email", "unsubscribe_url", "manage_url")


class DigestRenderer:
    """Renders the digests of one batch of readers from the same papers."""

    def __init__(self, *, papers: dict[str, Paper]) -> None:
        self.papers = papers
        self.css = render_to_string("email/_digest.css")
        self._cards: dict[tuple[str, bool], CardParts] = {}

    def card(self, canonical_id: str, *, with_why: bool) -> CardParts:
        key = (canonical_id, with_why)
        parts = self._cards.get(key)
        if parts is None:
            slots = _CARD_SLOTS if with_why else {**_CARD_SLOTS, "why": ""}
            card = replace(static_card(self.papers[canonical_id]), **slots)
            parts = self._cards[key] = _render_card(card, self.css)
        return parts

    def parts(
        self,
        *,
        delivery: Delivery,
        subscriber: Subscriber,
        edition: Edition,
        topic_names: list[str],
        unsubscribe_url: str,
        manage_url: str,
    ) -> emails.Parts:
        texts: list[str] = []
        htmls: list[str] = []
        for item in delivery.papers:
            paper = self.papers.get(item["id"])
            if paper is None:
                continue
            why = emails.single_line(item.get("why", ""))
            card = self.card(item["id"], with_why=bool(why))
            values = {
                "why": why,
                "more": feedback_url(subscriber.pk, paper.pk, Feedback.MORE),
                "less": feedback_url(subscriber.pk, paper.pk, Feedback.LESS),
            }
            texts.append(f"\n{len(texts) + 1}. {card.text.fill(values)}")
            htmls.append("\n" + card.html.fill(values))
        shell = _render_shell(
            count=len(texts),
            date=edition.date,
            frequency=edition.frequency,
            site_name=settings.SITE_NAME,
            site_url=settings.SITE_URL,
            postal_address=settings.POSTAL_ADDRESS,
        )
        return shell.fill(
            {
                "topics_label": topics_label(topic_names),
                "view_url": view_url(delivery.pk),
                "email": subscriber.email,
                "unsubscribe_url": unsubscribe_url,
                "manage_url": manage_url,
            },
            text={"cards": "".join(texts) + "\n"},
            # The cards are our own rendering: autoescaped templates, each reader value escaped
            # by fill. Nothing from a feed is marked safe on its own.
            html={"cards": SafeString("".join(htmls) + "\n")},
        )
