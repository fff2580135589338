"""The constants that turn similarities into "the reader wants this": fitted, never hand-picked.

For a facet and a paper, `standout` measures how far the paper stands out for that facet: the
z-score of the semantic similarity against the facet's similarity with 200 background papers of
many fields (background.json), so a short phrase and a long description are on one scale,
whatever the edition's size. (Against background, tf-idf is no distribution — mostly exact
zeros, so one shared rare word would "stand out" by 50 sigma: it enters as the raw cosine.) Then

    P(facet, paper) = sigmoid(bias + a · standout + b · semantic + c · lexical)

one set of weights per facet kind. The absolute similarities keep "nothing today" true: on a day
with no paper near an interest, the best of them still stands out, but is not close.

How each value was chosen (bench/relevance, interests written and graded independently of this
code; its split was fixed before any system was scored):
- the weights: one logistic regression per kind on the *train* split (every candidate paper,
  unjudged ones as 0; target grade >= 1), `bench/relevance/calibrate.py`.
- FLOOR: on the *dev* split, used for nothing else, must-reads first: among the floors 0.05,
  0.10 ... 0.95 with the best mean must-have recall (two decimals), the highest.
- the *test* split is only reported (README "Matching").
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

    def row(self, i: int) -> Parts:
        return Parts(*(getattr(self, f)[i] for f in ("semantic", "lexical", "semantic_z")))


@dataclass(frozen=True)
class Weights:
    bias: float
    standout: float
    semantic: float
    lexical: float

    def logit(self, parts: Parts) -> np.ndarray:
        """For one facet's Parts row: the log-odds that the reader wants each paper."""
        return (
            self.bias
            + self.standout * parts.semantic_z
            + self.semantic * parts.semantic
            + self.lexical * parts.lexical
        ).astype(np.float32)


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


# "paper" facets ("more like this") use the "words" weights: the train split has 45 relevant
# pairs for them, too few to fit a kind of its own that holds on editions of another size.
HYBRID = {
    "topic": Weights(-5.257, standout=1.335, semantic=-0.181, lexical=0.86),
    "words": Weights(-7.541, standout=1.767, semantic=1.877, lexical=3.628),
}
LEXICAL = {
    "topic": Weights(-1.105, standout=0.0, semantic=0.0, lexical=2.454),
    "words": Weights(-4.145, standout=0.0, semantic=0.0, lexical=12.982),
}
FLOOR = 0.2
LEXICAL_FLOOR = 0.05
HYBRID["paper"] = HYBRID["words"]
LEXICAL["paper"] = LEXICAL["words"]
