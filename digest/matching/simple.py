"""FALLBACK keyword matcher, used until the real engine (digest/matching/engine) merges.

It is deliberately simple: a paper matches a reader when one of their topic keywords/phrases, a
topic category, or one of their own-words phrases (or most of its content words) occurs in the
title or abstract; an excluded phrase removes the paper; "less like this" papers push look-alikes
out and "more like this" papers pull them in. The real engine (BM25 with bigrams, stemming,
calibrated thresholds) replaces it behind the same `match_profiles` signature in __init__.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from digest.matching.profiles import Match, PaperDoc, ReaderProfile

_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
_SPLIT_PHRASES = re.compile(r"[,;\n]+")
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by for from in into is it of on or the to with using via we our "
        "new towards toward about based",
    )
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _content_words(text: str) -> set[str]:
    return {w for w in _words(text) if len(w) > 2 and w not in _STOPWORDS}


def _phrases(text: str) -> list[str]:
    return [p.strip().lower() for p in _SPLIT_PHRASES.split(text) if p.strip()]


def _contains_phrase(haystack: str, phrase: str) -> bool:
    """Whole-word phrase containment on lower-cased, whitespace-normalised text."""
    pattern = r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, phrase.split())) + r"(?![a-z0-9])"
    return re.search(pattern, haystack) is not None


def _similar(a: set[str], b: set[str]) -> bool:
    return len(a & b) >= 3


def _match_one(
    paper: PaperDoc,
    profile: ReaderProfile,
    references: dict[str, PaperDoc],
    max_trending: float,
) -> Match | None:
    title = " ".join(_words(paper.title))
    body = " ".join(_words(f"{paper.title} {paper.abstract} {' '.join(paper.keywords)}"))
    if any(_contains_phrase(body, " ".join(_words(p))) for p in _phrases(profile.exclusions)):
        return None
    paper_words = _content_words(f"{paper.title} {paper.abstract}")
    reasons: list[str] = []
    relevance = 0.0
    for topic in profile.topics:
        hit = next(
            (
                k
                for k in topic.keywords
                if k.strip() and _contains_phrase(body, " ".join(_words(k)))
            ),
            None,
        )
        if hit is not None or set(topic.categories) & set(paper.categories):
            relevance += 1.0
            reasons.append(f"matches your topic {topic.name}")
    for phrase in _phrases(profile.interests):
        normalised = " ".join(_words(phrase))
        if not normalised:
            continue
        if _contains_phrase(title, normalised):
            relevance += 1.5
            reasons.append(f"'{phrase}' in the title")
        elif _contains_phrase(body, normalised):
            relevance += 1.0
            reasons.append(f"'{phrase}' in the abstract")
        else:
            wanted = _content_words(phrase)
            if len(wanted) >= 2 and len(wanted & paper_words) / len(wanted) >= 0.6:
                relevance += 0.6
                reasons.append(f"about {', '.join(sorted(wanted & paper_words))}")
    for paper_id in profile.disliked:
        reference = references.get(paper_id)
        if reference and _similar(paper_words, _content_words(reference.title)):
            relevance -= 1.0
    for paper_id in profile.liked:
        reference = references.get(paper_id)
        if reference and _similar(paper_words, _content_words(reference.title)):
            relevance += 0.8
            reasons.append(f"like '{reference.title}', which you marked")
    if relevance <= 0 or not reasons:
        return None
    trending = paper.trending_score / max_trending if max_trending > 0 else 0.0
    return Match(
        paper_id=paper.id,
        relevance=relevance,
        score=round(relevance + trending, 4),
        reasons=reasons[:3],
    )


def match_profiles(
    papers: list[PaperDoc],
    profiles: list[ReaderProfile],
    reference_papers: dict[str, PaperDoc],
    cap: int,
) -> list[list[Match]]:
    """One ranked list (best first, at most `cap`) per profile, in the order given."""
    max_trending = max((p.trending_score for p in papers), default=0.0)
    results: list[list[Match]] = []
    for profile in profiles:
        matches = _matches(papers, profile, reference_papers, max_trending)
        matches.sort(key=lambda m: (-m.score, m.paper_id))
        results.append(matches[:cap])
    return results


def _matches(
    papers: Iterable[PaperDoc],
    profile: ReaderProfile,
    references: dict[str, PaperDoc],
    max_trending: float,
) -> list[Match]:
    found = (_match_one(p, profile, references, max_trending) for p in papers)
    return [m for m in found if m is not None]
