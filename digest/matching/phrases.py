"""Which of an edition's papers contain a phrase: for quoted interests and for exclusions.

A phrase occurs when its stemmed words occur in a row in the title, abstract or keywords
(text.stem_line): "diffusion policies" finds "diffusion policy", "LLM" finds "LLMs".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digest.matching.profiles import PaperDoc
from digest.matching.text import content_words, split_phrases, stem_line


class PhraseIndex:
    def __init__(self, papers: Sequence[PaperDoc]) -> None:
        self.papers = papers
        self._lines: list[str] | None = None
        self._masks: dict[str, np.ndarray] = {}

    def contains(self, phrase: str) -> np.ndarray:
        """True for each paper that contains the phrase (computed once per phrase)."""
        mask = self._masks.get(phrase)
        if mask is None:
            if self._lines is None:
                self._lines = [
                    stem_line(f"{p.title} {p.abstract} {' '.join(p.keywords)}") for p in self.papers
                ]
            needle = stem_line(phrase)
            mask = np.array([needle.strip() != "" and needle in line for line in self._lines])
            self._masks[phrase] = mask
        return mask

    def excluded(self, exclusions: str) -> np.ndarray:
        """True for each paper a reader's exclusions remove. A phrase of several words removes
        its initials too ("large language models" also removes "LLM"), so an acronym never
        lets an excluded paper through."""
        out = np.zeros(len(self.papers), dtype=bool)
        for phrase in split_phrases(exclusions):
            out |= self.contains(phrase)
            words = content_words(phrase)
            if len(words) >= 2:
                out |= self.contains("".join(w[0] for w in words))
        return out
