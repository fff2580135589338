"""The constants that turn similarities into "the reader wants this": fitted, never hand-picked.

For a facet and the edition's papers, `standout` measures how far a paper stands out for that
facet today: the semantic z-score plus LEX_SHARE times the lexical z-score (z-scores over the
edition's papers, so a short phrase and a long description are on one scale). Then

    P(facet, paper) = sigmoid(bias + a · standout + b · semantic + c · lexical)

one set of weights per facet kind. The absolute similarities keep "nothing today" true: on a day
with no paper near an interest, the best of them still stands out, but is not close.

How each value was chosen (bench/relevance, interests written and graded independently of this
code; its split was fixed before any system was scored):
- LEX_SHARE = 0.3: the best nDCG@10 of a ranking by standout on the *train* split among
  0, 0.2, 0.3, 0.5 and 1 (0.79, 0.82, 0.82, 0.81, 0.80).
- the weights: one logistic regression per kind on the *train* split (every candidate paper,
  unjudged ones as 0; target grade >= 1), `bench/relevance/calibrate.py`.
- FLOOR: on the *dev* split, used for nothing else, must-reads first: among the floors 0.05,
  0.10 ... 0.95 with the best mean must-have recall (two decimals), the highest.
- the *test* split is only reported (README "Matching").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEX_SHARE = 0.3


@dataclass(frozen=True)
class Weights:
    bias: float
    standout: float
    semantic: float
    lexical: float

    def probability(self, semantic: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """Rows are facets, columns the edition's papers."""
        z = (
            self.bias
            + self.standout * standout(semantic, lexical)
            + self.semantic * semantic
            + self.lexical * lexical
        )
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


TRIM = 0.2


def standardised(x: np.ndarray) -> np.ndarray:
    """Each row as z-scores against its papers' lower 80%: the papers a facet does not match set
    the baseline, so a day full of on-topic papers does not hide them (the seed day is 40%
    reinforcement learning)."""
    x = np.atleast_2d(x)
    keep = max(1, int(np.ceil(x.shape[1] * (1 - TRIM))))
    low = np.partition(x, keep - 1, axis=1)[:, :keep]
    return (x - low.mean(axis=1, keepdims=True)) / (low.std(axis=1, keepdims=True) + 1e-3)


def standout(semantic: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """Semantic all zeros (no embeddings): the lexical z-score alone."""
    if not np.any(semantic):
        return standardised(lexical)
    return standardised(semantic) + LEX_SHARE * standardised(lexical)


# "paper" facets ("more like this") use the "words" weights: the train split has 45 relevant
# pairs for them, too few to fit a kind of its own that holds on editions of another size.
HYBRID = {
    "topic": Weights(-3.051, standout=0.873, semantic=3.118, lexical=0.832),
    "words": Weights(-6.856, standout=0.206, semantic=9.853, lexical=2.359),
}
LEXICAL = {
    "topic": Weights(-1.86, standout=0.824, semantic=0.0, lexical=0.656),
    "words": Weights(-4.704, standout=0.093, semantic=0.0, lexical=6.669),
}
FLOOR = 0.15
LEXICAL_FLOOR = 0.05
HYBRID["paper"] = HYBRID["words"]
LEXICAL["paper"] = LEXICAL["words"]
