"""A digest as a mailbox receives it through a real SMTP server: headers, parts, size, escaping."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from digest.delivery.message import digest_mail
from digest.models import Delivery, Edition
from subscriptions import emails
from tests.delivery.factories import DAY, make_paper, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


def send_one_digest(smtp_server, papers: int = 3, **reader):
    robot = make_topic()
    rlhf = make_topic("rlhf", "RLHF", ("human feedback",), position=1)
    robot_papers(papers)
    make_reader("ada@example.org", topics=(robot, rlhf), max_papers=25, **reader)
    call_command("send_digests", "--date", DAY.isoformat(), stdout=None)
    [message] = smtp_server.to("ada@example.org")
    return message


def test_every_header_of_a_digest_is_golden(smtp_server):
    message = send_one_digest(smtp_server, papers=5)

    # The subject leads with the top paper's title (the hook), then what else is inside.
    top = re.search(r"^1\. (.+)$", message.get_body(("plain",)).get_content(), re.M)[1].strip()
    assert top.startswith("Diffusion policies for robot manipulation: ")
    assert message["Subject"] == f"{top} + 4 more in Robot learning, RLHF"
    assert message["From"] == "Paperboy <digest@paperboy.example>"
    assert message["To"] == "ada@example.org"
    assert re.fullmatch(r"<[^<>@\s]+@paperboy\.example>", message["Message-ID"])
    assert re.fullmatch(
        r"<https://paperboy\.example/u/[^>]+/>, "
        r"<mailto:unsubscribe@paperboy\.example\?subject=unsubscribe>",
        message["List-Unsubscribe"],
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "Paperboy digest <digest.paperboy.example>"
    assert message["Date"]
    raw = smtp_server.envelopes[0].original_content.decode()
    for name in ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Message-ID", "From"):
        assert re.search(rf"^{name}: [^\r\n]+\r?\n(?![ \t])", raw, re.M), f"{name} is folded"


def test_the_digest_has_a_text_and_an_html_part_saying_the_same(smtp_server):
    message = send_one_digest(smtp_server, papers=2)

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Diffusion policies for robot manipulation: peg insertion" in part
        assert "Author 1, Author 2, Author 3 et al." in part
        assert "A robot learns manipulation skill 1 from few demonstrations." in part
        assert "https://huggingface.co/papers/2511." in part
        assert "https://arxiv.org/abs/2511." in part
        assert "https://arxiv.org/pdf/2511." in part
        assert "https://github.com/example/robots" in part
        assert "in your topic Robot learning" in part
        assert "+40 today" in part  # beside "▲ 41 upvotes": the gain, not "upvotes" twice
        assert "https://paperboy.example/f/" in part  # more / less like this
        assert "https://paperboy.example/d/" in part  # view in browser
        assert "https://paperboy.example/manage/" in part
        assert "https://paperboy.example/u/" in part
        assert "Paperboy, 1 Example Street, Example City" in part
        assert "You get this because ada@example.org subscribed" in part
    assert "prefers-color-scheme: dark" in html
    assert 'name="viewport"' in html
    assert 'style="' in html  # CSS inlined


def test_a_25_paper_digest_stays_under_gmails_clipping_size(smtp_server):
    message = send_one_digest(smtp_server, papers=25)

    html = message.get_body(("html",)).get_content()
    assert message["Subject"].endswith(" + 24 more in Robot learning, RLHF")
    assert len(html.encode()) < 102 * 1024


def test_a_hostile_title_is_escaped_and_cannot_inject_headers(smtp_server):
    make_topic()
    make_paper(
        'Robot <script>alert("x")</script>\nBcc: victim@example.com <img src=x onerror=alert(1)>',
        abstract="A robot manipulation study.",
        github_repo="javascript:alert(document.cookie)",
        pdf_url="javascript:alert(1)",
    )
    make_reader("ada@example.org", interests="robot")
    call_command("send_digests", "--date", DAY.isoformat(), stdout=None)

    [message] = smtp_server.messages
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "javascript:" not in html
    assert "javascript:" not in message.get_body(("plain",)).get_content()
    assert message["Bcc"] is None
    assert smtp_server.envelopes[0].rcpt_tos == ["ada@example.org"]
    assert "\n" not in message["Subject"]


def weekly_digest(**paper):
    reader = make_reader("ada@example.org")
    edition = Edition.objects.create(frequency=Edition.Frequency.WEEKLY, date=DAY)
    papers = [
        make_paper(
            "Diffusion policies for robot manipulation",
            abstract="Robots are everywhere. We propose a diffusion policy for grasping. It works.",
            **paper,
        ),
        make_paper("Tactile sensing for dexterous hands", ai_summary="Touch helps hands."),
    ]
    why = "in your topic Robot learning; in your topic RLHF; mentions your words: robot"
    delivery = Delivery.objects.create(
        subscriber=reader,
        edition=edition,
        papers=[{"id": p.canonical_id, "why": why} for p in papers],
    )
    message = emails.render(
        digest_mail(
            delivery=delivery,
            subscriber=reader,
            edition=edition,
            papers={p.canonical_id: p for p in papers},
            topic_names=["Robot learning", "RLHF"],
        )
    )
    return message.body, message.alternatives[0][0], message.subject


def test_a_weekly_digest_never_says_today_and_says_each_count_once():
    text, html, subject = weekly_digest(
        upvotes=86, github_stars=1200, why_trending="+86 upvotes today, 1.2k stars, new today"
    )

    for part in (text, html, subject):
        assert "today" not in part.lower()
    for part in (text, html):
        assert "▲ 86 upvotes · new this week · ★ 1.2k stars" in part
        assert part.count("1.2k") == 1 and "+86" not in part
        why = "Why you: in your topics Robot learning and RLHF · mentions your words: robot"
        assert why in part
        # No summary from the source: the sentence that says what the paper does, not the first.
        assert "We propose a diffusion policy for grasping." in part
        assert "Robots are everywhere." not in part
        assert "Touch helps hands." in part
    assert "Also this week: Tactile sensing for dexterous hands" in html
    assert subject == "Diffusion policies for robot manipulation + 1 more in Robot learning, RLHF"


def test_a_daily_gain_unlike_the_total_is_kept(smtp_server):
    make_topic()
    make_paper(
        "Robot manipulation at scale", upvotes=120, why_trending="+40 upvotes today, 3 comments"
    )
    make_reader("ada@example.org", interests="robot")
    call_command("send_digests", "--date", DAY.isoformat(), stdout=None)

    [message] = smtp_server.messages
    for kind in ("plain", "html"):
        assert "▲ 120 upvotes · +40 today · 3 comments" in message.get_body((kind,)).get_content()
