"""PaperRecords as the parsers would make them (Sources: tests/factories.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from digest.ingest.sources.records import PaperRecord
from tests.factories import make_source

__all__ = ["arxiv_record", "hf_record", "make_source"]


def hf_record(arxiv_id: str = "2602.23229", **fields: Any) -> PaperRecord:
    values: dict[str, Any] = {
        "canonical_id": arxiv_id,
        "arxiv_id": arxiv_id,
        "title": "Large Multimodal Models as General In-Context Classifiers",
        "abstract": "Which multimodal model should we use for classification?",
        "authors": ["Marco Garosi", "Elisa Ricci"],
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "published_at": dt.datetime(2026, 2, 26, 17, 8, tzinfo=dt.UTC),
        "trending_date": dt.date(2026, 3, 6),
        "upvotes": 10,
        "num_comments": 1,
        "github_repo": "https://github.com/marco-garosi/CIRCLE",
        "github_stars": 9,
        "ai_summary": "LMMs classify well in context.",
    }
    values.update(fields)
    return PaperRecord(**values)


def arxiv_record(arxiv_id: str = "2602.23229", **fields: Any) -> PaperRecord:
    values: dict[str, Any] = {
        "canonical_id": arxiv_id,
        "arxiv_id": arxiv_id,
        "version": 1,
        "title": "Large Multimodal Models as General In-Context Classifiers",
        "abstract": (
            "Which multimodal model should we use for classification? Previous studies suggest "
            "that the answer lies in CLIP-like contrastive Vision-Language Models."
        ),
        "authors": ["Marco Garosi", "Riccardo Conti", "Elisa Ricci"],
        "categories": ["cs.CV"],
        "primary_category": "cs.CV",
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "published_at": dt.datetime(2026, 2, 27, 5, 0, tzinfo=dt.UTC),
        "announce_type": "new",
    }
    values.update(fields)
    return PaperRecord(**values)
