"""Concepts: the units a reader's interest is made of, each scored against every paper.

A profile is a handful of concepts: one per curated topic, one per phrase of the reader's own
words (split at commas, semicolons and lines), one per paper marked "more like this", and, on the
negative side, one per paper marked "less like this". Concepts are shared between profiles, so a
topic chosen by 300,000 readers is scored once.

Every concept is a sparse vector of term weights, already divided by its *reference evidence*
E_ref, so that for a paper with saturated term weights x (see index.py)

    relevance(concept, paper) = 1 - exp(-Σ_t q_t · x_t),      q_t = w_t / E_ref

E_ref is what makes scores comparable between a two-word phrase and a 30-keyword topic. Terms
come from text.query_terms: unigrams, bigrams, and one term per synonym group (so "LLMs" weighs
one term, not the six words of its spelled-out forms).

* own words: w_t = idf(t), E_ref = ρ_words · Σ_t w_t with ρ_words = 0.5. The whole phrase once in
  the abstract (x = 0.5) gives 1 - e^-1 = 0.63; in the title (x = 0.75) 0.78; a third of the
  phrase's weight once in the abstract 0.28. Partial matches count: readers type loose phrases.
* topics: every keyword phrase (and the name) is weighted like own words but with ρ_topic = 1.0
  and its single words scaled by 0.25 next to its bigrams, and a term takes its largest weight
  over the phrases (description words at 0.3 of that). So a topic needs one of its phrases in the
  title (0.53), or two in the abstract (0.63); one passing mention (0.39) is not enough, and a
  word that merely occurs inside a keyword phrase ("model" in "code language model") adds little.
  A matching arXiv category adds 0.5 to the exponent (0.25 for a cross-list), which alone gives
  0.39, below the threshold: a category supports words, it never replaces them.
* marked papers: the paper's key terms (in its title or repeated in its abstract, x >= 0.6; not
  numbers; used by at least one other paper of the edition), the 30 with the highest x·idf,
  w_t = x_t · idf(t), E_ref = ρ_paper · Σ w_t with ρ_paper = 0.15. On the seed edition clearly
  related papers cover 20-30% of that weight (relevance 0.74-0.86) and unrelated ones 5% at the
  median (0.28) but 12% at the 90th percentile (0.55): "more like this" is the least precise
  signal, which is why its matches say which marked paper they resemble.

Quoted phrases ("world models") are requirements: a paper without the quoted phrase in its title
or abstract gets 0 for that concept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from digest.matching.index import PaperIndex, analyse_paper, category_term
from digest.matching.profiles import PaperDoc, TopicDoc
from digest.matching.text import query_terms, quoted_parts, stem_sequence

RHO_WORDS = 0.5
RHO_TOPIC = 1.0
RHO_PAPER = 0.15
DESCRIPTION_WEIGHT = 0.3
CATEGORY_WEIGHT = 0.5
PAPER_TERMS = 30
KEY_TERM_WEIGHT = 0.6
TOPIC_LOOSE_WORDS = 0.25


@dataclass
class Concept:
    kind: str  # "topic" | "words" | "paper"
    label: str  # what explanations name: topic name, the phrase as typed, the marked paper's title
    weights: dict[str, float]  # term -> q_t (idf-weighted, divided by E_ref)
    phrases: tuple[tuple[str, ...], ...] = ()  # stem sequences worth quoting as evidence
    required: tuple[tuple[str, ...], ...] = ()
    categories: frozenset[str] = frozenset()
    gate: np.ndarray | None = field(default=None, repr=False)  # papers allowed (quoted phrases)


class ConceptBook:
    """Builds each distinct concept once per edition and hands out its row number."""

    def __init__(self, index: PaperIndex) -> None:
        self.index = index
        self.concepts: list[Concept] = []
        self._ids: dict[tuple[str, str], int] = {}
        self._rows: list[tuple[np.ndarray, np.ndarray]] = []
        self._phrase_masks: dict[tuple[str, ...], np.ndarray] = {}

    def topic(self, topic: TopicDoc) -> int:
        return self._add(("topic", topic.slug or topic.name), lambda: self._topic(topic))

    def words(self, phrase: str) -> int:
        return self._add(("words", " ".join(phrase.lower().split())), lambda: self._words(phrase))

    def paper(self, doc: PaperDoc) -> int:
        return self._add(("paper", doc.id), lambda: self._paper(doc))

    def phrase_mask(self, sequence: tuple[str, ...]) -> np.ndarray:
        """Papers whose title or abstract holds this stemmed phrase (cached per phrase)."""
        if sequence not in self._phrase_masks:
            self._phrase_masks[sequence] = self.index.papers_with_phrase(sequence)
        return self._phrase_masks[sequence]

    def matrix(self, ids: np.ndarray) -> sparse.csr_matrix:
        """The concepts' q vectors as rows over the edition vocabulary."""
        rows = [self._rows[i] for i in ids]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r[0]) for r in rows])
        indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int32)
        data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.float32)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(self.index.vocab)))

    def _add(self, key: tuple[str, str], build: Callable[[], Concept]) -> int:
        if key not in self._ids:
            concept = build()
            if concept.required:
                gate = np.ones(self.index.n, dtype=bool)
                for sequence in concept.required:
                    gate &= self.phrase_mask(sequence)
                concept.gate = gate
            known = [
                (self.index.vocab[t], q)
                for t, q in concept.weights.items()
                if t in self.index.vocab
            ]
            known.sort()
            self._rows.append(
                (
                    np.array([k for k, _ in known], dtype=np.int32),
                    np.array([q for _, q in known], dtype=np.float32),
                )
            )
            self._ids[key] = len(self.concepts)
            self.concepts.append(concept)
        return self._ids[key]

    def _phrase_weights(self, text: str, rho: float, loose_words: float = 1.0) -> dict[str, float]:
        """q_t = w_t / (ρ · Σ w over the phrase), w_t = idf(t): the whole phrase sums to 1/ρ.

        `loose_words` < 1 scales the single words of a multiword phrase, so that for curated
        topics "code language model" is evidence only as a phrase, not whenever "model" occurs.
        """
        terms = query_terms(text)
        phrase_level = {t for t in terms if " " in t}
        factor = loose_words if phrase_level else 1.0
        weights = {t: self.index.idf(t) * (1.0 if t in phrase_level else factor) for t in terms}
        reference = rho * sum(weights.values()) or 1.0
        return {term: w / reference for term, w in weights.items()}

    def _words(self, phrase: str) -> Concept:
        quoted, plain = quoted_parts(phrase)
        return Concept(
            kind="words",
            label=plain.strip(),
            weights=self._phrase_weights(plain, RHO_WORDS),
            phrases=(stem_sequence(plain),),
            required=tuple(s for s in (stem_sequence(q) for q in quoted) if s),
        )

    def _topic(self, topic: TopicDoc) -> Concept:
        phrases = [topic.name, *topic.keywords]
        weighted = [(p, 1.0) for p in phrases] + [(topic.description, DESCRIPTION_WEIGHT)]
        q: dict[str, float] = {}
        for phrase, factor in weighted:
            for term, w in self._phrase_weights(phrase, RHO_TOPIC, TOPIC_LOOSE_WORDS).items():
                q[term] = max(q.get(term, 0.0), factor * w)
        categories = frozenset(c.lower() for c in topic.categories)
        for category in categories:
            q[category_term(category)] = CATEGORY_WEIGHT
        return Concept(
            kind="topic",
            label=topic.name,
            weights=q,
            phrases=tuple(s for s in (stem_sequence(p) for p in phrases) if s),
            categories=categories,
        )

    def _paper(self, doc: PaperDoc) -> Concept:
        position = self.index.position.get(doc.id)
        analysed = analyse_paper(doc) if position is None else self.index.papers[position]
        vector = self.index.term_weights(analysed)
        # Key terms only: in the title or repeated in the abstract (x >= 0.6), not numbers, and
        # used by some *other* paper of the edition; a paper's one-off words would otherwise fill
        # the vector with rare terms that make nothing look alike.
        own = 1 if doc.id in self.index.position else 0
        scored = {
            t: x * self.index.idf(t)
            for t, x in vector.items()
            if x >= KEY_TERM_WEIGHT
            and not t.startswith("cat:")
            and not any(part.isdigit() for part in t.split())
            and self.index.df_of(t) - own >= 1
        }
        top = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:PAPER_TERMS]
        reference = RHO_PAPER * sum(w for _, w in top) or 1.0
        return Concept(
            kind="paper",
            label=_short_title(doc.title),
            weights={t: w / reference for t, w in top},
            phrases=tuple(tuple(t.split()) for t, _ in top if " " in t),
        )


def _short_title(title: str) -> str:
    """ "Direct Preference Optimization: Your Language Model is..." -> the part before the colon."""
    head = title.split(":")[0].strip()
    short = head if len(head.split()) >= 2 else title.strip()
    return short if len(short) <= 80 else short[:77].rstrip() + "..."
