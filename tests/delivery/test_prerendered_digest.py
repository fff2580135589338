"""Digests assembled from cards rendered once per paper are the digests the templates render whole.

Senders render each paper's card once per batch (digest.delivery.prerender.DigestRenderer)
and fill in each reader's parts; the view-in-browser page and one-off mails render the
template triple whole.
A reader must not be able to tell which one made their email.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import html
import random
import string

import pytest
from django.core import signing

from digest.delivery.message import digest_mail
from digest.delivery.prerender import DigestRenderer
from digest.models import Delivery, Edition, Paper
from subscriptions import emails
from subscriptions.models import Subscriber

HOSTILE_TITLE = "Robot <script>alert(\"x\")</script>\nBcc: victim@example.com & $\\alpha$ 'q'"


@pytest.fixture(autouse=True)
def same_second(monkeypatch):
    """Signed links carry the time they were made: make both renders in the same second."""
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: "1abcde")


def papers() -> dict[str, Paper]:
    made = {}
    for i in range(25):
        paper = Paper(
            pk=100 + i,
            canonical_id=f"p{i}",
            arxiv_id=f"2511.{i:05d}" if i % 5 else "",
            title=HOSTILE_TITLE if i == 3 else f"Scaling study {i} of robot manipulation",
            abstract="We study things. A second sentence." if i % 2 else "",
            ai_summary="" if i % 2 else f"A summary {i} with & and <b>bold</b>.",
            authors=[{"name": f"Author {j}"} for j in range(i % 6)],
            upvotes=None if i % 7 == 0 else i,
            github_stars=None if i % 3 == 0 else 100 + i,
            github_repo="javascript:alert(1)" if i == 4 else "https://github.com/x/y?a=1&b=2",
            url="https://example.org/p?x=1&y=<2>",
            why_trending="+25 upvotes today" if i % 2 else "",
        )
        made[paper.canonical_id] = paper
    return made


def both_ways(*, count: int, frequency: str, why: str, topics: list[str], email: str):
    shelf = papers()
    reader = Subscriber(pk=7, email=email, status=Subscriber.Status.ACTIVE)
    edition = Edition(pk=3, frequency=frequency, date=dt.date(2025, 11, 25))
    items = [{"id": f"p{(i * 3) % 25}", "why": why if i % 2 == 0 else ""} for i in range(count)]
    delivery = Delivery(pk=50, subscriber=reader, edition=edition, papers=items)
    common = dict(delivery=delivery, subscriber=reader, edition=edition, papers=shelf)
    whole = emails.render(digest_mail(**common, topic_names=topics))
    renderer = DigestRenderer(papers=shelf)
    cards = emails.render(digest_mail(**common, topic_names=topics, renderer=renderer))
    return whole, cards


@pytest.mark.parametrize("frequency", ["daily", "weekly", "welcome"])
@pytest.mark.parametrize("count", [1, 2, 25])
def test_a_digest_from_cards_is_byte_for_byte_the_whole_render(frequency, count):
    whole, cards = both_ways(
        count=count,
        frequency=frequency,
        why="matches your topic Robot learning",
        topics=["Robot learning", "RLHF & alignment"],
        email="ada@example.org",
    )

    assert cards.subject == whole.subject
    assert cards.body == whole.body
    assert cards.alternatives == whole.alternatives
    assert cards.tags == whole.tags and cards.metadata == whole.metadata
    headers = {k: v for k, v in cards.extra_headers.items() if k != "Message-ID"}
    assert headers == {k: v for k, v in whole.extra_headers.items() if k != "Message-ID"}


def test_the_feed_text_in_a_card_is_escaped_once_and_never_marked_safe():
    _, cards = both_ways(
        count=25, frequency="daily", why="", topics=["Robot learning"], email="ada@example.org"
    )
    page = cards.alternatives[0][0]

    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&amp;lt;" not in page  # escaped once, not twice
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "javascript:" not in page and "javascript:" not in cards.body
    assert not any(line.startswith("Bcc:") for line in cards.body.splitlines())
    assert "\n" not in cards.subject


def test_each_readers_own_values_are_escaped_in_html_and_plain_in_text():
    hostile = "<script>alert(1)</script> \"quoted\" & 'single'"
    whole, cards = both_ways(
        count=5, frequency="daily", why=hostile, topics=[hostile], email="o'neil@example.org"
    )
    page = cards.alternatives[0][0]

    assert "<script>alert(1)</script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4  # header + 3 "why you"
    # The same characters, written with other (equivalent) entities than the inliner's.
    assert html.unescape(page) == html.unescape(whole.alternatives[0][0])
    assert cards.body == whole.body and hostile in cards.body
    assert cards.subject == whole.subject


def test_a_slot_marker_in_feed_text_without_the_process_secret_is_just_text():
    forged = "0123456789abcdefZwhyZ"
    rendered = emails.render_slotted("email/_digest_card.txt", {"card": {"title": forged}})

    assert rendered.names == frozenset()
    assert rendered.fill({}).startswith(forged)


def test_headers_are_written_unfolded_exactly_as_compat32_writes_plain_values():
    compat32 = email.policy.compat32.clone(max_line_length=0)
    chooser = random.Random(6)
    words = string.ascii_letters + string.digits + string.punctuation
    for _ in range(2000):
        value = " ".join(
            "".join(chooser.choice(words) for _ in range(chooser.randint(1, 30)))
            for _ in range(chooser.randint(1, 12))
        )
        ours = emails._UNFOLDED.fold("List-Unsubscribe", value)
        assert ours == compat32.fold("List-Unsubscribe", value) == f"List-Unsubscribe: {value}\n"
