"""A synthetic arXiv Atom listing in the exact rss.arxiv.org shape, built from the seed papers."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings

SEED = Path(settings.BASE_DIR) / "demo" / "hf_daily.json"
HEADER = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:arxiv="http://arxiv.org/schemas/atom" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns="http://www.w3.org/2005/Atom" '
    'xml:lang="en-us">\n'
    "  <id>http://rss.arxiv.org/atom/cs.LG</id>\n"
    "  <title>cs.LG updates on arXiv.org</title>\n"
    "  <updated>2029-12-05T04:00:19.866337+00:00</updated>\n"
)
ENTRY = """  <entry>
    <id>oai:arXiv.org:{id}v{version}</id>
    <title>{title}</title>
    <updated>2029-12-05T04:00:19.899254+00:00</updated>
    <link href="https://arxiv.org/abs/{id}" rel="alternate" type="text/html"/>
    <summary>arXiv:{id}v{version} Announce Type: {announce}
Abstract: {abstract}</summary>
{categories}
    <published>2029-12-05T00:00:00-05:00</published>
    <arxiv:announce_type>{announce}</arxiv:announce_type>
    <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
    <dc:creator>{authors}</dc:creator>
  </entry>
"""
CATEGORIES = ["cs.LG", "cs.AI", "cs.CL", "cs.CV", "cs.RO", "stat.ML"]
ANNOUNCE = ["new", "new", "new", "cross", "replace", "replace-cross"]


def atom_listing(entries: int) -> bytes:
    """`entries` distinct papers with ids 2912.00000... (December 2029: no real paper collides),
    real titles, abstracts and author lists cycled from the demo recording."""
    seed = [item["paper"] for item in json.loads(SEED.read_bytes())]
    parts = [HEADER]
    for n in range(entries):
        paper = seed[n % len(seed)]
        cats = CATEGORIES[n % 6 : n % 6 + 1 + n % 3]
        parts.append(
            ENTRY.format(
                id=f"2912.{n:05d}",
                version=1 + n % 3,
                title=escape(paper["title"]),
                abstract=escape(paper["summary"]),
                announce=ANNOUNCE[n % len(ANNOUNCE)],
                categories="\n".join(f'    <category term="{c}"/>' for c in cats),
                authors=escape(", ".join(a["name"] for a in paper["authors"]) or "Anonymous"),
            )
        )
    parts.append("</feed>\n")
    return "".join(parts).encode()
