"""Plain inputs and outputs of matching: no database here, so scoring is tested without one."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PaperDoc:
    id: str  # Paper.canonical_id
    title: str
    abstract: str = ""
    keywords: tuple[str, ...] = ()  # HF ai_keywords
    categories: tuple[str, ...] = ()
    trending_score: float = 0.0
    # Unit sentence embedding (stored with the paper at ingest); None = lexical matching only.
    vector: object = field(default=None, compare=False, hash=False, repr=False)
    # Unit embeddings of its title and abstract sentences, one row each (sentences.py).
    sentence_vectors: object = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class TopicDoc:
    slug: str
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReaderProfile:
    """Everything that decides what one reader gets. Readers with equal profiles share one score."""

    topics: tuple[TopicDoc, ...] = ()
    interests: str = ""
    exclusions: str = ""
    liked: tuple[str, ...] = ()  # paper ids marked "more like this"
    disliked: tuple[str, ...] = ()  # paper ids marked "less like this"
    library: tuple[str, ...] = ()  # of `liked`, those imported from the reader's library


@dataclass(slots=True)  # millions exist at once when every reader's list is computed
class Match:
    paper_id: str
    relevance: float  # calibrated: >= threshold means "include"
    score: float  # relevance x (1 + 0.3 trend), shown to operators; the order also counts
    # the closest sentence (engine.py), so a list is in its own order, not by score
    reasons: list[str] = field(default_factory=list)  # short, true explanations for people

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)
