"""Short explanations built only from what decided the match.

The facet with the highest probability for the paper speaks first; a second facet that also
clears the floor adds its own reason. A facet names why: the reader's words the paper contains
(only words it really contains), "close in meaning" when the embedding carried more of the score
than shared words did, the topic, or the marked paper. Examples:

    close in meaning to your interest 'protein design'
    mentions your words: speech, recognition
    in your topic Robot learning
    like 'Direct Preference Optimization', which you marked
    contains “diffusion policy”
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from digest.matching.facets import Facet
from digest.matching.text import content_words, stem

if TYPE_CHECKING:
    from digest.matching.engine import Matcher

MAX_REASONS = 2
MAX_WORDS = 4


class ReasonWriter:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._cache: dict[tuple[tuple[int, ...], int], list[str]] = {}
        self._parts: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def reasons(self, facet_rows: list[int], paper: int) -> list[str]:
        """Explanations for one delivered paper, at most two.

        The same list object is returned for the same (facets, paper): with millions of matches,
        copies would cost hundreds of megabytes. Treat it as read-only."""
        key = (tuple(facet_rows), paper)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._write(facet_rows, paper)
        return cached

    def _write(self, facet_rows: list[int], paper: int) -> list[str]:
        m = self.matcher
        if not facet_rows:
            return []
        rows = np.array(facet_rows, dtype=np.int64)
        scores = m._scores_for(rows)[:, paper]
        out: list[str] = []
        for rank, i in enumerate(np.argsort(-scores, kind="stable")[:MAX_REASONS].tolist()):
            if rank and scores[i] < m.floor:
                break
            reason = self._for_facet(m.facets[facet_rows[i]], facet_rows[i], paper)
            if reason not in out:
                out.append(reason)
        return out

    def _for_facet(self, facet: Facet, row: int, paper: int) -> str:
        if facet.kind == "paper":
            return f"like '{facet.label}', which you marked"
        if facet.kind == "quoted":
            return f"contains “{facet.label}”"
        if facet.kind == "topic":
            return f"in your topic {facet.label}"
        shared = self._shared_words(facet, paper)
        if row not in self._parts:
            semantic, lexical = self.matcher.facet_parts([row])
            self._parts[row] = (semantic[0], lexical[0])
        semantic, lexical = self._parts[row]
        w = self.matcher.weights["words"]
        if not shared or w.semantic * semantic[paper] > w.lexical * lexical[paper]:
            return f"close in meaning to your interest '{facet.label}'"
        return "mentions your words: " + ", ".join(shared[:MAX_WORDS])

    def _shared_words(self, facet: Facet, paper: int) -> list[str]:
        stems = self.matcher.lexical.stems[paper]
        words = dict.fromkeys(w.lower() for w in content_words(facet.words))
        return [w for w in words if stem(w) in stems]
