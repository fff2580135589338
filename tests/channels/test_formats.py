"""Each platform's message: its shape, its limits, and feed text that cannot format the
message or notify a room."""

from __future__ import annotations

import json

from digest.channels.formats import (
    ChannelDigest,
    PaperItem,
    discord_message,
    matrix_message,
    slack_message,
)

HOSTILE = "<!channel> @everyone <script>alert(1)</script> *bold* [x](https://evil.example) & co"
MANAGE = "https://paperboy.example.org/manage/TOKEN/#channels"


def digest(count: int = 3, title: str = "Robot learning from play", why: str = "in your topic RL"):
    papers = [
        PaperItem(
            title=f"{title} {n}",
            url=f"https://huggingface.co/papers/2511.{n:05d}",
            why=why,
            meta="Ada Lovelace, Alan Turing · ▲ 86 upvotes",
        )
        for n in range(1, count + 1)
    ]
    return ChannelDigest(
        heading="Paperboy: 3 papers for Tuesday 25 November",
        papers=papers,
        manage_url=MANAGE,
        more_url="https://paperboy.example.org/d/T/",
    )


def test_slack_gets_block_kit_a_header_a_section_per_paper_and_the_manage_link() -> None:
    body = slack_message(digest())
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds[0] == "header" and kinds.count("divider") == 3
    sections = [b for b in body["blocks"] if b["type"] == "section"]
    assert sections[0]["text"]["text"].startswith(
        "*<https://huggingface.co/papers/2511.00001|Robot learning from play 1>*"
    )
    assert "in your topic RL" in sections[0]["text"]["text"]
    assert f"<{MANAGE}|Change or stop these posts>" in json.dumps(body["blocks"][-1])
    assert body["text"].startswith("Paperboy: 3 papers")


def test_slack_escapes_feed_text_so_it_cannot_ping_or_link() -> None:
    body = json.dumps(slack_message(digest(1, title=HOSTILE, why=HOSTILE)))
    assert "<!channel>" not in body and "&lt;!channel&gt;" in body
    assert "<script>" not in body
    assert "&amp; co" in body


def test_slack_keeps_to_50_blocks_and_3000_characters_a_text() -> None:
    body = slack_message(digest(40, title="T" * 5000, why="w" * 5000))
    assert len(body["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"] if b["type"] == "section")
    assert "more in your digest" in json.dumps(body["blocks"][-2])


def test_discord_gets_embeds_and_mentions_nobody() -> None:
    body = discord_message(digest())
    assert body["allowed_mentions"] == {"parse": []}
    assert body["embeds"][0]["url"] == "https://huggingface.co/papers/2511.00001"
    assert body["embeds"][0]["title"] == "Robot learning from play 1"
    assert f"(<{MANAGE}>)" in body["content"]


def test_discord_escapes_markdown_and_breaks_every_mention() -> None:
    body = discord_message(digest(1, title=HOSTILE, why=HOSTILE))
    embed = body["embeds"][0]
    for text in (embed["title"], embed["description"]):
        assert "@everyone" not in text and "@\u200beveryone" in text
        assert "\\*bold\\*" in text and "\\[x\\]\\(https\\://evil.example\\)" in text


def test_discord_keeps_to_its_limits() -> None:
    body = discord_message(digest(25, title="T" * 400, why="w" * 5000))
    embeds = body["embeds"]
    assert len(embeds) <= 10
    assert all(len(e["title"]) <= 256 and len(e["description"]) <= 4096 for e in embeds)
    assert sum(len(e["title"]) + len(e["description"]) for e in embeds) <= 6000
    assert len(body["content"]) <= 2000 and "more in your digest" in body["content"]


def test_matrix_gets_plain_text_and_escaped_html() -> None:
    body = matrix_message(digest(1, title=HOSTILE))
    assert set(body) == {"text", "html"}
    assert "<script>" not in body["html"] and "&lt;script&gt;" in body["html"]
    assert '<a href="https://huggingface.co/papers/2511.00001">' in body["html"]
    assert HOSTILE in body["text"]  # plain text is never rendered as HTML
    assert MANAGE in body["text"] and f'href="{MANAGE}"' in body["html"]


def test_matrix_stays_well_under_the_event_size_limit() -> None:
    body = matrix_message(digest(200, title="T" * 300, why="w" * 300))
    assert len(json.dumps(body).encode()) < 65_536
    assert body["html"].endswith("</p>") and body["html"].count("<li>") == body["html"].count(
        "</li>"
    )
