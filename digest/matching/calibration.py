"""The constants that turn similarities into "the reader wants this": fitted, never hand-picked.

For a facet and a paper, `standout` measures how far the paper stands out for that facet: the
z-score of the semantic similarity against the facet's similarity with 200 background papers of
many fields (background.json), so a short phrase and a long description are on one scale,
whatever the edition's size. (Against background, tf-idf is no distribution — mostly exact
zeros, so one shared rare word would "stand out" by 50 sigma: it enters as the raw cosine.) Then

    P(facet, paper) = sigmoid(bias + a · standout + b · semantic + c · lexical + d · coverage
                              + e · relative semantic + g · relative lexical)

one set of weights per facet kind; coverage is the idf-weighted share of the facet's words the
paper contains (0 weight for marked papers: covering a whole abstract's words means nothing);
the relative ones are semantic and lexical min-max scaled over the edition's papers, weighted
for marked papers only (session 8).
The absolute similarities keep "nothing today" true: on a day with no paper near an interest,
the best of them still stands out, but is not close.

How each value was chosen (bench/relevance, interests written and graded independently of this
code; every split fixed before any system was scored), `bench/relevance/calibrate.py`. Since
session 6 every earlier set is development data, and bench/relevance/fresh, fresh2 and (session
7) fresh3 were each built and graded before a change and read once after the values were fixed.
Coverage was added in session 7 by a keep rule written before its figures (docs/relevance.md,
"Session 7"):
- the direction: one logistic regression per kind on the paperboy set's *train* and *test*
  splits (every candidate paper, unjudged ones as 0; target grade >= 1); "paper" (marked
  papers) starts from the direction of "words".
- the lexical share: a classifier over every candidate under-weights the words a reader and a
  paper share, which is what puts the must-reads on top; each kind's lexical weight is
  multiplied by the factor of 0.5, 1, 2, 4, 8 that ranks best on those readers (words x4 and
  topic x8 by nDCG@10); marked papers' by the factor of 0, 0.25 ... 8 with the best nDCG@20
  over the 36 real "more like this" readers of bench/relevance/mlt and the holdout (x4).
- "paper" since session 8: the same three steps with the relative features, on every
  development reader (typed readers of paperboy train/test, fresh, fresh2, fresh3 for the
  direction; the 66 "more like this" readers of mlt, the holdout, fresh and fresh3 for the
  lexical share, x8, and the scale), kept by a rule written before its figures
  (docs/relevance.md, "Session 8"); "topic" and "words" did not gain from either and keep
  session 7's values.
- the scale and bias: a one-feature logistic regression of that combined score, on the same
  readers (for "paper": on the 36 "more like this" readers, no longer on readers derived from
  interest labels).
- FLOOR: on the paperboy *dev* split (+ its derived feedback readers) and the holdout's 22
  readers with words or topics, used for nothing else: among the floors 0.05, 0.10 ... 0.95
  with the best mean must-have recall (two decimals), the highest.
- PAPER_FLOOR (session 8): a reader who only marked papers is cut at 0.05, by the same floor
  rule on the 11 floor readers who only mark (paperboy dev's); kept by a rule written first.
- LEXICAL (SEMANTIC_MATCHING off): refitted in session 7 with coverage beside tf-idf by the same
  rules (`calibrate --lexical`), kept by a rule fixed before its figures; floor 0.05 by the
  floor rule. Marked papers keep session 3's weights (what calibrate prints for "paper" is not
  used).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Parts:
    """Rows are facets, columns the edition's papers."""

    semantic: np.ndarray
    lexical: np.ndarray
    semantic_z: np.ndarray
    coverage: np.ndarray

    def row(self, i: int) -> Parts:
        return Parts(*(getattr(self, f)[i] for f in FEATURES))


FEATURES = ("semantic", "lexical", "semantic_z", "coverage")


@dataclass(frozen=True)
class Weights:
    bias: float
    standout: float
    semantic: float
    lexical: float
    coverage: float = 0.0
    relative_semantic: float = 0.0
    relative_lexical: float = 0.0

    def logit(self, parts: Parts) -> np.ndarray:
        """For one facet's Parts row: the log-odds that the reader wants each paper. The
        relative terms are derived here, only for a kind that weighs them (marked papers)."""
        out = (
            self.bias
            + self.standout * parts.semantic_z
            + self.semantic * parts.semantic
            + self.lexical * parts.lexical
            + self.coverage * parts.coverage
        )
        if self.relative_semantic:
            out = out + self.relative_semantic * relative(parts.semantic)
        if self.relative_lexical:
            out = out + self.relative_lexical * relative(parts.lexical)
        return out.astype(np.float32)


def relative(x: np.ndarray) -> np.ndarray:
    """Each row min-max scaled over the edition's papers (what the "blend" baseline ranks by;
    0 where a row is flat)."""
    low, high = x.min(axis=-1, keepdims=True), x.max(axis=-1, keepdims=True)
    span = high - low
    return np.where(span > 0, (x - low) / np.where(span > 0, span, 1), 0).astype(np.float32)


def logit(p: float) -> float:
    return float(np.log(p / (1 - p))) if p > 0 else float("-inf")


def sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def against(x: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Each row of x as z-scores against the same facet's similarities with the background
    papers: how far a paper stands out from a paper in general. Independent of the edition's
    size and of how many on-topic papers it holds."""
    x, background = np.atleast_2d(x), np.atleast_2d(background)
    mean = background.mean(axis=1, keepdims=True)
    return (x - mean) / (background.std(axis=1, keepdims=True) + 1e-3)


HYBRID = {
    "topic": Weights(-7.242, standout=1.539, semantic=0.32, lexical=12.64, coverage=4.08),
    "words": Weights(-8.362, standout=1.597, semantic=3.421, lexical=9.553, coverage=3.074),
    "paper": Weights(
        -8.647,
        standout=2.11,
        semantic=0.574,
        lexical=3.818,
        relative_semantic=-1.635,
        relative_lexical=2.502,
    ),
}
LEXICAL = {
    "topic": Weights(-6.227, standout=0.0, semantic=0.0, lexical=8.948, coverage=20.497),
    "words": Weights(-5.579, standout=0.0, semantic=0.0, lexical=10.291, coverage=8.078),
}
FLOOR = 0.1
# A reader who only marked papers: the floor rule on the floor readers who only mark (session 8)
PAPER_FLOOR = 0.05
LEXICAL_FLOOR = 0.05
# Without embeddings, marked papers keep session 3's own-words weights: the refitted ones
# (without coverage) left 10 of fresh3's 12 "more like this" readers with nothing.
LEXICAL["paper"] = Weights(-4.145, standout=0.0, semantic=0.0, lexical=12.982)
