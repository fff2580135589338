"""What one reader's digest says: the context the email templates and view-in-browser render.

One render path: the template triple (templates/email/digest_subject.txt, digest.txt,
digest.html) through Django's cached template loader, the HTML part CSS-inlined by
subscriptions.emails. Everything from a feed stays plain text here; the templates escape it
(autoescape in HTML, and text/plain parts are never HTML). Feed links are kept only when they
are http(s).
"""

from __future__ import annotations

import re
from typing import TypedDict

from pylatexenc.latex2text import LatexNodes2Text

from digest.ingest.trending import compact_number
from digest.models import Delivery, Edition, Paper
from subscriptions.emails import Mail, single_line, token_url
from subscriptions.models import Feedback, Subscriber
from subscriptions.tokens import make_token

AUTHORS_SHOWN = 3
TLDR_MAX = 220
# The first cards get a larger title and the paper's thumbnail; the rest are compact, so a long
# digest stays scannable (and under Gmail's clipping size). Three: the top of a ranked list a
# reader sees without scrolling on a laptop, as newsletters lead with their first few stories.
LEAD_CARDS = 3
SUBJECT_TITLE_MAX = 80
_LATEX = re.compile(r"[$\\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
# How an abstract states its contribution (the usual "background, then we ..." structure).
_CONTRIBUTION = re.compile(
    r"\b(we (propose|present|introduce|show|develop|release|study|find|demonstrate)|"
    r"this (paper|work)|in this (paper|work)|here,? we)\b",
    re.I,
)
_GAIN = re.compile(r"\+(\S+) upvotes? (today|this week)")
_RESTATED = re.compile(r"[\d.]+[kM]? (upvote|star)s?")


class PaperCard(TypedDict):
    """One paper in one reader's digest. A dict, not a dataclass: the template engine tries a
    dict lookup first, and a digest resolves some 500 `card.x` variables (the attribute
    fallback after a failed dict lookup cost an eighth of the render)."""

    number: int
    lead: bool
    title: str
    authors: str
    tldr: str
    stats: str  # "▲ 86 upvotes · +12 today · ★ 1.2k stars · seen in 2 sources"
    why: str
    thumbnail: str
    paper_url: str
    abs_url: str  # "" when it is the paper_url already
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
    """The source's one-line summary where it gives one (Hugging Face Daily Papers' ai_summary),
    else the abstract's first sentence that says what the paper does ("We propose ..."): the
    first is often background. Trimmed to one line."""
    text = single_line(paper.ai_summary or paper.abstract, max_length=10_000)
    if not paper.ai_summary:
        sentences = _SENTENCE_END.split(text)
        text = next((s for s in sentences if _CONTRIBUTION.search(s)), sentences[0])
    if len(text) <= TLDR_MAX:
        return text
    return text[:TLDR_MAX].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def feedback_url(subscriber_id: int, paper_id: int, value: int) -> str:
    return token_url("digest:feedback", make_token("feedback", [subscriber_id, paper_id, value]))


def view_url(delivery_id: int) -> str:
    return token_url("digest:view", make_token("view", delivery_id))


def stats_line(paper: Paper, *, weekly: bool) -> str:
    """The paper's counts, then what its trending reason adds to them, each said once."""
    parts = []
    if paper.upvotes is not None:
        parts.append(f"▲ {compact_number(paper.upvotes)} upvote{'' if paper.upvotes == 1 else 's'}")
    parts += trend(single_line(paper.why_trending), upvotes=paper.upvotes, weekly=weekly)
    if paper.github_stars is not None:
        parts.append(f"★ {compact_number(paper.github_stars)} stars")
    return " · ".join(parts)


def trend(why_trending: str, *, upvotes: int | None, weekly: bool) -> list[str]:
    """The parts of the stored trending reason that the card's counts do not already say.

    trending.why_trending writes "+48 upvotes today, 1.2k stars, seen in 3 sources": the card
    shows upvotes and stars itself, so those are dropped; a gain equal to the total says nothing
    ("86 upvotes, +86 today"); a weekly digest never says "today"."""
    kept = []
    for part in filter(None, (p.strip() for p in why_trending.split(","))):
        gain = _GAIN.fullmatch(part)
        if gain:
            count, period = gain.groups()
            if (weekly and period == "today") or count == compact_number(upvotes or 0):
                continue
            kept.append(f"+{count} {period}")
        elif _RESTATED.fullmatch(part):
            continue
        elif weekly and part == "new today":
            kept.append("new this week")
        else:
            kept.append(part)
    return kept


def why_line(why: str) -> str:
    """The matcher's reasons ("in your topic A; in your topic B; mentions ...") as one line that
    names each thing once: "in your topics A and B · mentions ..."."""
    reasons = list(dict.fromkeys(r.strip() for r in single_line(why).split(";") if r.strip()))
    topics = [r.removeprefix("in your topic ") for r in reasons if r.startswith("in your topic ")]
    others = [r for r in reasons if not r.startswith("in your topic ")]
    if len(topics) > 1:
        others.insert(0, f"in your topics {', '.join(topics[:-1])} and {topics[-1]}")
    elif topics:
        others.insert(0, f"in your topic {topics[0]}")
    return " · ".join(others)


def paper_parts(paper: Paper, *, weekly: bool) -> dict:
    """What a card says that depends only on the paper, worked out once per loaded Paper: a
    batch loads each paper once for its 200 readers, and a fresh load (the next batch, view in
    browser) starts afresh, so nothing stale survives a change to the row."""
    memo = paper.__dict__.setdefault("_digest_parts", {})
    if weekly not in memo:
        arxiv = f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else ""
        abs_url = arxiv or safe_link(paper.url)
        memo[weekly] = {
            "title": display_title(paper),
            "authors": author_line(paper.authors),
            "tldr": tldr(paper),
            "stats": stats_line(paper, weekly=weekly),
            "thumbnail": safe_link(paper.thumbnail),
            "paper_url": paper.hf_url or abs_url,
            "abs_url": abs_url if paper.hf_url else "",
            "pdf_url": safe_link(paper.pdf_url) or arxiv.replace("/abs/", "/pdf/"),
            "code_url": safe_link(paper.github_repo),
        }
    return memo[weekly]


def paper_card(
    paper: Paper, *, number: int, why: str, subscriber_id: int, weekly: bool
) -> PaperCard:
    parts = paper_parts(paper, weekly=weekly)
    lead = number <= LEAD_CARDS
    return {
        **parts,
        "number": number,
        "lead": lead,
        "why": why_line(why),
        "thumbnail": parts["thumbnail"] if lead else "",
        "more_url": feedback_url(subscriber_id, paper.pk, Feedback.MORE),
        "less_url": feedback_url(subscriber_id, paper.pk, Feedback.LESS),
    }


def topics_label(topic_names: list[str]) -> str:
    if not topic_names:
        return "your interests"
    if len(topic_names) > 3:
        return ", ".join(topic_names[:3]) + f" and {len(topic_names) - 3} more"
    return ", ".join(topic_names)


def topics_phrase(topic_names: list[str]) -> str:
    """For a sentence: "Robot learning and RLHF", "A, B, C and 2 more"."""
    if not topic_names:
        return "your interests"
    if len(topic_names) > 3:
        return ", ".join(topic_names[:3]) + f" and {len(topic_names) - 3} more"
    if len(topic_names) > 1:
        return ", ".join(topic_names[:-1]) + " and " + topic_names[-1]
    return topic_names[0]


def subject_hook(cards: list[PaperCard]) -> str:
    """The top paper's title, cut at a word to fit a phone's subject line."""
    if not cards:
        return ""
    title = cards[0]["title"]
    if len(title) <= SUBJECT_TITLE_MAX:
        return title
    return title[:SUBJECT_TITLE_MAX].rsplit(" ", 1)[0].rstrip(",;:-–—") + "…"


def digest_context(
    *,
    delivery: Delivery,
    subscriber: Subscriber,
    edition: Edition,
    papers: dict[str, Paper],
    topic_names: list[str],
) -> dict:
    weekly = edition.frequency in (Edition.Frequency.WEEKLY, Edition.Frequency.WELCOME)
    items = [item for item in delivery.papers if item["id"] in papers]
    cards = [
        paper_card(
            papers[item["id"]],
            number=n,
            why=item.get("why", ""),
            subscriber_id=subscriber.pk,
            weekly=weekly,
        )
        for n, item in enumerate(items, start=1)
    ]
    return {
        "cards": cards,
        "count": len(cards),
        "lead_count": min(LEAD_CARDS, len(cards)),
        "date": edition.date,
        "welcome": edition.frequency == Edition.Frequency.WELCOME,
        "weekly": edition.frequency == Edition.Frequency.WEEKLY,
        "period": "this week" if weekly else "today",
        "topics_label": topics_label(topic_names),
        "topics_phrase": topics_phrase(topic_names),
        "hook": subject_hook(cards),
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
) -> Mail:
    """The reader's digest, rendered from the template triple."""
    return Mail(
        kind="digest",
        to=subscriber.email,
        subscriber=subscriber,
        context=digest_context(
            delivery=delivery,
            subscriber=subscriber,
            edition=edition,
            papers=papers,
            topic_names=topic_names,
        ),
        tags=[edition.frequency],
        metadata={"edition": str(edition.pk), "delivery": str(delivery.pk)},
        idempotency_key=f"delivery-{delivery.pk}",
    )
