"""The plain baseline the matcher is measured against: unigram tf-idf, no stemming, top 10.

No phrases, no synonyms, no fields, no threshold: the reader's text (topic names, descriptions and
keywords, own words, titles and abstracts of papers marked "more like this") is one query, papers
are ranked by cosine similarity, and the first `cap` are delivered. Exclusions are applied as a
literal, case-insensitive substring test so the comparison stays fair on interests that use them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from digest.matching.profiles import PaperDoc, ReaderProfile
from digest.matching.text import split_phrases

_FUNCTION_TEXT = (
    "a an and are as at be by for from has have in is it its of on or that the this to was we "
    "were which with our their these those can not"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())


def _tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in _FUNCTION_WORDS]


def profile_text(profile: ReaderProfile, documents: Mapping[str, PaperDoc]) -> str:
    """Everything the reader gave as one text: the query of the lexical baselines."""
    parts = [profile.interests]
    for topic in profile.topics:
        parts += [topic.name, topic.description, *topic.keywords]
    parts += [
        f"{documents[i].title} {documents[i].abstract}" for i in profile.liked if i in documents
    ]
    return " ".join(parts)


def baseline_rank(
    papers: Sequence[PaperDoc],
    profile: ReaderProfile,
    *,
    cap: int = 10,
    documents: Mapping[str, PaperDoc] | None = None,
) -> list[str]:
    """Paper ids of the `cap` papers most similar to the profile text, best first."""
    bags = [Counter(_tokens(f"{p.title} {p.abstract}")) for p in papers]
    df: Counter[str] = Counter(t for bag in bags for t in bag)
    n = len(papers)

    def vector(bag: Counter[str]) -> dict[str, float]:
        weights = {t: c * math.log((1 + n) / (1 + df[t])) for t, c in bag.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    query = vector(Counter(_tokens(profile_text(profile, documents or {}))))
    excluded = [e.lower() for e in split_phrases(profile.exclusions)]
    scored = []
    for i, (paper, bag) in enumerate(zip(papers, bags, strict=True)):
        text = f"{paper.title} {paper.abstract}".lower()
        if any(e in text for e in excluded) or paper.id in profile.liked:
            continue
        doc = vector(bag)
        scored.append((-sum(w * doc.get(t, 0.0) for t, w in query.items()), i))
    return [papers[i].id for _, i in sorted(scored)[:cap]]
