"""One digest as each platform's own message: pure functions over plain data, no I/O.

Paper titles and reasons come from feeds and are untrusted: each is escaped for its platform,
so a title cannot format the message, link elsewhere or notify a room (`<!channel>`,
`@everyone`), and every platform limit is kept by cutting papers, never by a refused post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape


@dataclass(frozen=True)
class PaperItem:
    title: str
    url: str
    why: str  # why it matched this reader (the Delivery's reasons, as one line)
    meta: str  # authors · counts


@dataclass(frozen=True)
class ChannelDigest:
    heading: str  # "Paperboy: 5 papers for Tuesday 25 November"
    papers: list[PaperItem]
    manage_url: str  # the reader's preferences centre: change, pause, remove the channel
    more_url: str = ""  # the whole digest in a browser, for papers a limit left out
    note: str = ""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Slack: Block Kit ------------------------------------------------------------------------
# https://api.slack.com/reference/block-kit/blocks (at most 50 blocks; a section's text at most
# 3000 characters; a header's plain_text at most 150) and
# https://api.slack.com/reference/surfaces/formatting#escaping (&, <, > are the only escapes).
SLACK_MAX_BLOCKS = 50
SLACK_MAX_TEXT = 3000
SLACK_MAX_HEADER = 150
SLACK_BLOCKS_PER_PAPER = 3  # section, context, divider


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    # In <url|label> the URL may not hold "|" or ">": percent-encode them.
    safe_url = slack_escape(url.replace("|", "%7C"))
    return f"<{safe_url}|{slack_escape(label)}>"


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": _cut(text, SLACK_MAX_TEXT)}


def slack_message(digest: ChannelDigest) -> dict:
    """An incoming-webhook body: a header, per paper a section (linked title and why it
    matched), a context line and a divider, then a footer with the manage link."""
    room = SLACK_MAX_BLOCKS - 3  # header, "and N more", footer
    shown = digest.papers[: room // SLACK_BLOCKS_PER_PAPER]
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(digest.heading, SLACK_MAX_HEADER)},
        }
    ]
    if digest.note:
        blocks.append({"type": "section", "text": _mrkdwn(slack_escape(digest.note))})
    for paper in shown:
        title = _slack_link(paper.url, paper.title) if paper.url else slack_escape(paper.title)
        text = f"*{title}*" + (f"\n{slack_escape(paper.why)}" if paper.why else "")
        blocks.append({"type": "section", "text": _mrkdwn(text)})
        if paper.meta:
            blocks.append({"type": "context", "elements": [_mrkdwn(slack_escape(paper.meta))]})
        blocks.append({"type": "divider"})
    left_out = len(digest.papers) - len(shown)
    if left_out and digest.more_url:
        more = _slack_link(digest.more_url, f"{left_out} more in your digest")
        blocks.append({"type": "section", "text": _mrkdwn(more)})
    footer = _slack_link(digest.manage_url, "Change or stop these posts")
    blocks.append({"type": "context", "elements": [_mrkdwn(footer)]})
    return {"text": _cut(digest.heading, SLACK_MAX_TEXT), "blocks": blocks[:SLACK_MAX_BLOCKS]}


# --- Discord: embeds --------------------------------------------------------------------------
# https://discord.com/developers/docs/resources/message#embed-object-embed-limits (at most 10
# embeds; a title at most 256 characters, a description 4096, all embeds together 6000;
# content at most 2000) and .../message#allowed-mentions-object (parse: [] notifies nobody).
DISCORD_MAX_EMBEDS = 10
DISCORD_MAX_TITLE = 256
DISCORD_MAX_DESCRIPTION = 4096
DISCORD_MAX_TOTAL = 6000
DISCORD_MAX_CONTENT = 2000
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<:-])")


def discord_escape(text: str) -> str:
    """Markdown characters backslash-escaped; "@" followed by a zero-width space, so even a
    client that ignored allowed_mentions would show "@everyone" without pinging anyone."""
    return _DISCORD_MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")


def discord_message(digest: ChannelDigest) -> dict:
    """An execute-webhook body: the heading and manage link as content, one embed per paper
    (title linking to the paper, why it matched, the context line), within every limit."""
    embeds: list[dict] = []
    total = 0
    for paper in digest.papers[:DISCORD_MAX_EMBEDS]:
        title = _cut(discord_escape(paper.title), DISCORD_MAX_TITLE)
        lines = [discord_escape(paper.why), discord_escape(paper.meta)]
        description = _cut("\n".join(line for line in lines if line), DISCORD_MAX_DESCRIPTION)
        if total + len(title) + len(description) > DISCORD_MAX_TOTAL:
            break
        total += len(title) + len(description)
        embed = {"title": title, "description": description}
        if paper.url:
            embed["url"] = paper.url
        embeds.append(embed)
    lines = [f"**{discord_escape(digest.heading)}**"]
    if digest.note:
        lines.append(discord_escape(digest.note))
    left_out = len(digest.papers) - len(embeds)
    if left_out and digest.more_url:
        lines.append(f"[{left_out} more in your digest](<{digest.more_url}>)")
    lines.append(f"[Change or stop these posts](<{digest.manage_url}>)")
    return {
        "content": _cut("\n".join(lines), DISCORD_MAX_CONTENT),
        "embeds": embeds,
        "allowed_mentions": {"parse": []},
    }


# --- Matrix: a generic webhook bridge -------------------------------------------------------
# Matrix has no incoming webhooks of its own. We assume matrix-hookshot's generic webhook
# contract (https://matrix-org.github.io/matrix-hookshot/latest/setup/webhooks.html): a JSON
# POST with `text` (plain) and `html` (formatted), which the bridge sends to the room as an
# m.room.message with formatted_body. A Matrix event must stay under 65,536 bytes.
MATRIX_MAX_CHARS = 30_000  # each of text and html: together far under the event limit


def matrix_message(digest: ChannelDigest) -> dict:
    text_lines = [digest.heading, ""]
    html = [f"<h3>{escape(digest.heading)}</h3>"]
    if digest.note:
        text_lines += [digest.note, ""]
        html.append(f"<p>{escape(digest.note)}</p>")
    items = []
    for number, paper in enumerate(digest.papers, start=1):
        text_lines.append(f"{number}. {paper.title}" + (f" <{paper.url}>" if paper.url else ""))
        text_lines += [f"   {line}" for line in (paper.why, paper.meta) if line]
        title = escape(paper.title)
        if paper.url:
            title = f'<a href="{escape(paper.url)}">{title}</a>'
        parts = [f"<strong>{title}</strong>"]
        parts += [f"<em>{escape(paper.why)}</em>"] if paper.why else []
        parts += [escape(paper.meta)] if paper.meta else []
        items.append(f"<li>{'<br>'.join(parts)}</li>")
    footer = f'<p><a href="{escape(digest.manage_url)}">Change or stop these posts</a></p>'
    text_lines += ["", f"Change or stop these posts: {digest.manage_url}"]
    body = "".join(html) + (f"<ol>{''.join(items)}</ol>" if items else "") + footer
    while len(body) > MATRIX_MAX_CHARS and items:  # whole papers only: never a cut tag
        items.pop()
        body = "".join(html) + f"<ol>{''.join(items)}</ol>" + footer
    return {"text": _cut("\n".join(text_lines), MATRIX_MAX_CHARS), "html": body}


FORMATS = {"slack": slack_message, "discord": discord_message, "matrix": matrix_message}


def message_for(kind: str, digest: ChannelDigest) -> dict:
    return FORMATS[kind](digest)
