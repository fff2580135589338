"""The curated topics readers pick from: subscriptions/topics_seed.json, also the database seed."""

from __future__ import annotations

import json
from pathlib import Path

from digest.matching.profiles import TopicDoc

SEED_TOPICS = Path(__file__).resolve().parents[2] / "subscriptions" / "topics_seed.json"


def load_topics(path: Path = SEED_TOPICS) -> dict[str, TopicDoc]:
    """Curated topics by slug, in file order."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    return {
        e["slug"]: TopicDoc(
            slug=e["slug"],
            name=e["name"],
            description=e.get("description", ""),
            keywords=tuple(e.get("keywords", ())),
            categories=tuple(e.get("categories", ())),
        )
        for e in entries
    }
