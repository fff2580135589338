"""A reader's interests as facets: each is one thing they asked for, scored on its own.

A paper only needs to match one facet well (the best facet decides), so a reader with five topics
is held to the same bar as a reader with one.

- own words: a list of short phrases ("graph neural networks, topological data analysis") gives
  one facet per phrase; anything longer is one facet — a sentence describes one interest.
  A phrase in double quotes is a *quoted* facet: the paper must contain those exact words.
- a ticked topic: one facet, its name and description (for meaning) plus keywords (for words).
- the papers marked "more like this": one facet, their centroid (the mean of their vectors and
  all their words, as in Rocchio's relevance feedback), so several marks sharpen one direction.
- a paper marked "less like this" is a *negative* facet (see engine.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from digest.matching.profiles import PaperDoc, ReaderProfile, TopicDoc
from digest.matching.text import QUOTED, content_words, quoted_phrases, split_phrases

# A comma list is read as separate interests only when every item is this short; longer items
# are clauses of one sentence ("agents that plan, call tools, and act").
SHORT_PHRASE_WORDS = 5
LABEL_CHARS = 60


@dataclass(frozen=True)
class Facet:
    kind: str  # "words", "quoted", "topic" or "paper"
    text: str  # what is embedded (meaning)
    words: str  # what is matched lexically
    label: str  # how explanations name it
    paper_ids: tuple[str, ...] = ()  # kind "paper": the marked papers
    imported: tuple[str, ...] = ()  # kind "paper": those from the reader's library (reasons)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


@lru_cache(maxsize=100_000)  # a million readers type far fewer distinct texts
def word_facets(interests: str) -> tuple[Facet, ...]:
    text = " ".join(interests.split())
    if not text:
        return ()
    facets = [Facet("quoted", q, q, q) for q in quoted_phrases(text)]
    rest = QUOTED.sub(" ", text)  # a quoted phrase is only a quoted facet
    parts = split_phrases(rest)
    if len(parts) > 1 and all(len(content_words(p)) <= SHORT_PHRASE_WORDS for p in parts):
        phrases = parts
    else:
        phrases = [" ".join(rest.split())]
    facets += [Facet("words", p, p, _short(p)) for p in phrases if content_words(p)]
    return tuple(facets)


@lru_cache(maxsize=10_000)
def topic_facet(topic: TopicDoc) -> Facet:
    meaning = f"{topic.name}. {topic.description}".strip()
    words = " ".join([topic.name, topic.description, *topic.keywords])
    return Facet("topic", meaning, words, topic.name)


def paper_facet(papers: list[PaperDoc], imported: frozenset[str] = frozenset()) -> Facet:
    label = _short(" ".join(papers[0].title.split()))
    return Facet(
        "paper",
        " ".join(f"{p.title}. {p.abstract}" for p in papers),
        " ".join(f"{p.title} {p.abstract}" for p in papers),
        label,
        tuple(p.id for p in papers),
        tuple(p.id for p in papers if p.id in imported),
    )


def positive_facets(profile: ReaderProfile, references: dict[str, PaperDoc]) -> list[Facet]:
    facets = [*word_facets(profile.interests), *(topic_facet(t) for t in profile.topics)]
    liked = [references[i] for i in profile.liked if i in references]
    if liked:
        facets.append(paper_facet(liked, frozenset(profile.library)))
    return facets


def negative_facets(profile: ReaderProfile, references: dict[str, PaperDoc]) -> list[Facet]:
    return [paper_facet([references[i]]) for i in profile.disliked if i in references]


BACKGROUND = Path(__file__).with_name("background.json")


@cache
def background_texts() -> list[str]:
    """200 arXiv papers of many fields (29-31 October 2018, none in the evaluation windows):
    what "a paper in general" looks like, the reference for how far a paper stands out."""
    entries = json.loads(BACKGROUND.read_text(encoding="utf-8"))
    return [f"{e['title']}. {e['abstract']}" for e in entries]
