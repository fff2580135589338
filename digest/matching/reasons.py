"""Short explanations built only from what decided the match.

The facet with the highest probability for the paper speaks first; a second facet that also
clears the floor adds its own reason. A facet of the reader's own words says "mentions your
words" when the paper contains every one of them (checked on the stems), and "close in meaning"
otherwise: then the embedding, not shared words, carried the match. Examples:

    close in meaning to your interest 'protein design'
    mentions your words: speech, recognition
    in your topic Robot learning
    like 'Direct Preference Optimization', which you marked
    like 'Direct Preference Optimization', from your library
    contains “diffusion policy”
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.matching.facets import Facet
from digest.matching.text import content_words, stem

MAX_WORDS = 4


class ReasonWriter:
    def __init__(self, facets: Sequence[Facet], stems: Sequence[frozenset[str]]) -> None:
        """`facets`: the matcher's facet table (it grows as profiles come); `stems`: each
        paper's stemmed words."""
        self.facets = facets
        self.stems = stems
        self._one: dict[tuple[int, int], str] = {}
        self._lists: dict[tuple[int, int, int], list[str]] = {}

    def reasons(self, best: int, second: int, paper: int) -> list[str]:
        """Explanations for one delivered paper: its best facet's, then a runner-up's.

        The same list object is returned for the same (facets, paper): with millions of matches,
        copies would cost hundreds of megabytes. Treat it as read-only."""
        key = (best, second, paper)
        found = self._lists.get(key)
        if found is None:
            found = [self.reason(f, paper) for f in (best, second) if f >= 0]
            found = self._lists[key] = list(dict.fromkeys(found))
        return found

    def reason(self, facet_id: int, paper: int) -> str:
        key = (facet_id, paper)
        if key not in self._one:
            self._one[key] = self._write(self.facets[facet_id], paper)
        return self._one[key]

    def _write(self, facet: Facet, paper: int) -> str:
        if facet.kind == "paper":
            others = len(facet.paper_ids) - 1
            if len(facet.imported) == len(facet.paper_ids):  # all from the reader's library
                if others:
                    return f"like '{facet.label}' and {others} more from your library"
                return f"like '{facet.label}', from your library"
            if others:
                made = "you marked or imported" if facet.imported else "you marked"
                return f"like '{facet.label}' and {others} more {made}"
            return f"like '{facet.label}', which you marked"
        if facet.kind == "quoted":
            return f"contains “{facet.label}”"
        if facet.kind == "topic":
            return f"in your topic {facet.label}"
        typed = {w.lower(): w for w in reversed(content_words(facet.words))}  # first spelling
        words = [typed[w] for w in dict.fromkeys(w.lower() for w in content_words(facet.words))]
        stems = self.stems[paper]
        if words and all(stem(w) in stems for w in words):
            shown = ", ".join(words[:MAX_WORDS])
            return "mentions your words: " + (shown + ", …" if len(words) > MAX_WORDS else shown)
        return f"close in meaning to your interest '{facet.label}'"
