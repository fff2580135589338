"""What one reader's digest says: the context the email templates and view-in-browser render.

Everything from a feed stays plain text here; the templates escape it (autoescape in HTML, and
text/plain parts are never HTML). Feed links are kept only when they are http(s).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from django.urls import reverse
from pylatexenc.latex2text import LatexNodes2Text

from digest.models import Delivery, Edition, Paper
from subscriptions.emails import Mail, absolute_url, manage_url, single_line, unsubscribe_url
from subscriptions.models import Feedback, Subscriber
from subscriptions.tokens import make_token

if TYPE_CHECKING:
    from digest.delivery.prerender import DigestRenderer

AUTHORS_SHOWN = 3
TLDR_MAX = 220
_LATEX = re.compile(r"[$\\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class PaperCard:
    title: str
    authors: str
    tldr: str
    upvotes: int | None
    stars: int | None
    why_trending: str
    why: str
    paper_url: str
    abs_url: str
    pdf_url: str
    code_url: str
    more_url: str
    less_url: str


def safe_link(url: str) -> str:
    """Only web links from a feed ever reach an href (no javascript:, data:, ...)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def display_title(paper: Paper) -> str:
    if paper.title_display:
        return single_line(paper.title_display, max_length=300)
    title = paper.title
    if _LATEX.search(title):
        title = LatexNodes2Text().latex_to_text(title)
    return single_line(title, max_length=300)


def author_line(authors: list) -> str:
    names = [str(a.get("name", "") if isinstance(a, dict) else a).strip() for a in authors or []]
    names = [n for n in names if n]
    if len(names) > AUTHORS_SHOWN:
        return ", ".join(names[:AUTHORS_SHOWN]) + " et al."
    return ", ".join(names)


def tldr(paper: Paper) -> str:
    """The AI summary where known, else the abstract's first sentence, trimmed to one line."""
    text = single_line(paper.ai_summary or paper.abstract, max_length=10_000)
    if not paper.ai_summary:
        text = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(text) <= TLDR_MAX:
        return text
    return text[:TLDR_MAX].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@cache
def _url_prefix(name: str) -> str:
    """The absolute URL of `name` up to its token (reverse() is slow on a per-link basis)."""
    return absolute_url(reverse(name, args=["TOKEN"])).removesuffix("TOKEN/")


def feedback_url(subscriber_id: int, paper_id: int, value: int) -> str:
    token = make_token("feedback", [subscriber_id, paper_id, value])
    return f"{_url_prefix('digest:feedback')}{token}/"


def view_url(delivery_id: int) -> str:
    return absolute_url(reverse("digest:view", args=[make_token("view", delivery_id)]))


def paper_card(paper: Paper, *, why: str, subscriber_id: int) -> PaperCard:
    return replace(
        static_card(paper),
        why=single_line(why),
        more_url=feedback_url(subscriber_id, paper.pk, Feedback.MORE),
        less_url=feedback_url(subscriber_id, paper.pk, Feedback.LESS),
    )


def static_card(paper: Paper) -> PaperCard:
    """The paper's card without the reader's parts (why it matched, the feedback links)."""
    abs_url = f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else safe_link(paper.url)
    return PaperCard(
        title=display_title(paper),
        authors=author_line(paper.authors),
        tldr=tldr(paper),
        upvotes=paper.upvotes,
        stars=paper.github_stars,
        why_trending=single_line(paper.why_trending),
        why="",
        paper_url=paper.hf_url or abs_url,
        abs_url=abs_url,
        pdf_url=safe_link(paper.pdf_url)
        or (f"https://arxiv.org/pdf/{paper.arxiv_id}" if paper.arxiv_id else ""),
        code_url=safe_link(paper.github_repo),
        more_url="",
        less_url="",
    )


def topics_label(topic_names: list[str]) -> str:
    if not topic_names:
        return "your interests"
    if len(topic_names) > 3:
        return ", ".join(topic_names[:3]) + f" and {len(topic_names) - 3} more"
    return ", ".join(topic_names)


def digest_context(
    *,
    delivery: Delivery,
    subscriber: Subscriber,
    edition: Edition,
    papers: dict[str, Paper],
    topic_names: list[str],
) -> dict:
    cards = [
        paper_card(papers[item["id"]], why=item.get("why", ""), subscriber_id=subscriber.pk)
        for item in delivery.papers
        if item["id"] in papers
    ]
    return {
        "cards": cards,
        "count": len(cards),
        "date": edition.date,
        "welcome": edition.frequency == Edition.Frequency.WELCOME,
        "weekly": edition.frequency == Edition.Frequency.WEEKLY,
        "topics_label": topics_label(topic_names),
        "view_url": view_url(delivery.pk),
        "email": subscriber.email,
    }


def digest_mail(
    *,
    delivery: Delivery,
    subscriber: Subscriber,
    edition: Edition,
    papers: dict[str, Paper],
    topic_names: list[str],
    renderer: DigestRenderer | None = None,
) -> Mail:
    """The reader's digest. With a `renderer` (sending many), its parts come pre-rendered from
    cards rendered once per paper; without, the templates render it whole. Same email."""
    parts = None
    if renderer is None:
        context = digest_context(
            delivery=delivery,
            subscriber=subscriber,
            edition=edition,
            papers=papers,
            topic_names=topic_names,
        )
    else:
        context = {
            "unsubscribe_url": unsubscribe_url(subscriber),
            "manage_url": manage_url(subscriber),
        }
        parts = renderer.parts(
            delivery=delivery,
            subscriber=subscriber,
            edition=edition,
            topic_names=topic_names,
            unsubscribe_url=context["unsubscribe_url"],
            manage_url=context["manage_url"],
        )
    return Mail(
        kind="digest",
        to=subscriber.email,
        subscriber=subscriber,
        context=context,
        parts=parts,
        tags=[edition.frequency],
        metadata={"edition": str(edition.pk), "delivery": str(delivery.pk)},
        idempotency_key=f"delivery-{delivery.pk}",
    )


def edition_label(date: dt.date) -> str:
    return f"{date.day} {date:%b}"
