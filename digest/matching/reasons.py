"""Short explanations built only from facts we checked: a quoted phrase is quoted from the paper.

Examples: "matches your topic Robot learning", "'Diffusion Policy' in the title",
"like 'Direct Preference Optimization', which you marked", "listed in cs.RO".
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from digest.matching.concepts import Concept, ConceptBook
from digest.matching.index import PaperIndex
from digest.matching.synonyms import SYNONYMS
from digest.matching.text import Analysis, expansions

MIN_QUOTE_IDF = 1.0  # never quote a word nearly every paper uses ("learning", "model")
TITLE_PREFERENCE = 1.5
MAX_REASONS = 3


class ReasonWriter:
    def __init__(self, index: PaperIndex, book: ConceptBook) -> None:
        self.index = index
        self.book = book
        self._cache: dict[tuple[int, int], list[str]] = {}
        self._combined: dict[tuple[tuple[int, ...], int], list[str]] = {}
        self._positions: dict[tuple[int, str], dict[str, list[int]]] = {}

    def reasons(self, concept_ids: tuple[int, ...], paper: int) -> list[str]:
        """Explanations for one delivered paper, strongest concept first, at most three.

        The same list object is returned for the same (concepts, paper): with millions of
        matches, copies would cost hundreds of megabytes. Treat it as read-only."""
        key = (concept_ids, paper)
        cached = self._combined.get(key)
        if cached is not None:
            return cached
        out: list[str] = []
        for concept_id in concept_ids:
            for reason in self._for_concept(concept_id, paper):
                if reason not in out:
                    out.append(reason)
        self._combined[key] = out[:MAX_REASONS]
        return self._combined[key]

    def _for_concept(self, concept_id: int, paper: int) -> list[str]:
        key = (concept_id, paper)
        if key not in self._cache:
            self._cache[key] = self._write(self.book.concepts[concept_id], paper)
        return self._cache[key]

    def _write(self, concept: Concept, paper: int) -> list[str]:
        if concept.kind == "paper":
            return [f"like '{concept.label}', which you marked"]
        out = [f"matches your topic {concept.label}"] if concept.kind == "topic" else []
        quote = self.quote(concept.phrases, paper)
        if quote:
            out.append(quote)
        elif concept.kind == "topic":
            categories = [c for c in self.index.papers[paper].categories if c in concept.categories]
            if categories:
                out.append(f"listed in {self.index.papers[paper].doc.categories[0]}")
        else:
            out.append(f"matches your words '{concept.label}'")
        return out

    def quote(self, phrases: tuple[tuple[str, ...], ...], paper: int) -> str | None:
        """The most informative piece of a phrase found verbatim (after stemming) in the paper."""
        analysed = self.index.papers[paper]
        acronyms = _acronyms_in(phrases)
        best: tuple[float, str, str] | None = None
        for field, analysis in (("title", analysed.title), ("abstract", analysed.abstract)):
            preference = TITLE_PREFERENCE if field == "title" else 1.0
            for value, start, end in self._runs(paper, field, analysis, phrases, acronyms):
                value *= preference
                if value >= MIN_QUOTE_IDF and (best is None or value > best[0]):
                    best = (value, analysis.text[start:end], field)
        return None if best is None else f"'{best[1]}' in the {best[2]}"

    def _runs(
        self,
        paper: int,
        field: str,
        analysis: Analysis,
        phrases: tuple[tuple[str, ...], ...],
        acronyms: frozenset[str],
    ) -> list[tuple[float, int, int]]:
        """(idf value, start, end) of every maximal run of phrase words in this field."""
        words = analysis.words
        positions = self._positions.get((paper, field))
        if positions is None:
            positions = defaultdict(list)
            for i, word in enumerate(words):
                positions[word.stem].append(i)
            self._positions[(paper, field)] = positions
        idf = self.index.idf
        runs = []
        for phrase in phrases:
            for j, stem in enumerate(phrase):
                for i in positions.get(stem, ()):
                    k = 1
                    while (
                        j + k < len(phrase)
                        and i + k < len(words)
                        and words[i + k].stem == phrase[j + k]
                        and words[i + k].segment == words[i].segment
                    ):
                        k += 1
                    value = sum(idf(s) for s in phrase[j : j + k]) + 0.5 * (k - 1)
                    runs.append((value, words[i].start, words[i + k - 1].end))
        for acronym, start, end in analysis.canonical_spans:
            if acronym in acronyms:
                runs.append((idf(acronym) + 1.0, start, end))
        for acronym in acronyms:
            for i in positions.get(acronym, ()):
                runs.append((idf(acronym), words[i].start, words[i].end))
        return runs


@lru_cache(maxsize=50_000)
def _acronyms_in(phrases: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    """Acronym terms a phrase names, typed either way ("LLM" or "large language model")."""
    found = {stem for phrase in phrases for stem in phrase if stem in SYNONYMS}
    for acronym, sequence in expansions():
        n = len(sequence)
        if any(phrase[i : i + n] == sequence for phrase in phrases for i in range(len(phrase))):
            found.add(acronym)
    return frozenset(found)
