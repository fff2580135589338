"""The papers of one edition as a term matrix, fitted once and shared by every reader.

Each paper becomes a row of saturated, field-weighted term frequencies (BM25F without idf):

    tf_w(t) = 3·tf_title(t) + 2·tf_keywords(t) + tf_abstract(t) / (1 - b + b·len/avg_len)
    x(t)    = tf_w / (tf_w + k1)            with k1 = 1, b = 0.5

so x is in [0, 1): one mention in the abstract gives 0.5, one in the title 0.75, title and
abstract 0.8. A small k1 because titles and abstracts are short: whether a paper talks about
something matters more than how often. idf is kept separately (concepts carry it in their
weights), smoothed so it never goes negative:

    idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))

Category pseudo-terms ("cat:cs.ro") sit in the same matrix: 1.0 for the primary category and 0.5
for cross-lists, so curated topics can use arXiv categories through the same product.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from digest.matching.profiles import PaperDoc
from digest.matching.synonyms import SYNONYMS
from digest.matching.text import Analysis, analyze, expansions

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "abstract": 1.0}
K1 = 1.0
B = 0.5
CROSS_LIST_WEIGHT = 0.5


def category_term(category: str) -> str:
    return f"cat:{category.strip().lower()}"


@dataclass(frozen=True)
class AnalysedPaper:
    doc: PaperDoc
    title: Analysis
    abstract: Analysis
    keywords: Analysis

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(c.lower() for c in self.doc.categories)


def analyse_paper(doc: PaperDoc) -> AnalysedPaper:
    return AnalysedPaper(
        doc=doc,
        title=analyze(doc.title),
        abstract=analyze(doc.abstract),
        keywords=analyze("; ".join(doc.keywords)),
    )


class PaperIndex:
    """Vocabulary, idf and the saturated term matrix of one edition's papers."""

    def __init__(self, papers: Sequence[PaperDoc]) -> None:
        self.papers = [analyse_paper(doc) for doc in papers]
        self.ids = [p.doc.id for p in self.papers]
        self.position = {paper_id: i for i, paper_id in enumerate(self.ids)}
        lengths = [len(p.abstract.words) for p in self.papers]
        self.avg_abstract_len = max(1.0, sum(lengths) / max(1, len(lengths)))
        rows = [self.term_weights(p) for p in self.papers]
        self.vocab: dict[str, int] = {}
        for row in rows:
            for term in row:
                self.vocab.setdefault(term, len(self.vocab))
        self.x = _to_csr(rows, self.vocab)
        self.xt = self.x.T.tocsr()  # term -> papers, what concept products need
        self.n = len(self.papers)
        df = np.bincount(self.x.indices, minlength=len(self.vocab)).astype(np.float64)
        self.df = df
        self.idf_array = np.log1p((self.n - df + 0.5) / (df + 0.5))
        # A term no paper uses counts as if one paper did: rare, but not infinitely so.
        self.unseen_idf = math.log1p((self.n - 0.5) / 1.5)
        self._sequences = [_phrase_text(p) for p in self.papers]
        self._canonical = [_canonical_terms(p) for p in self.papers]

    def idf(self, term: str) -> float:
        """idf of any term; unseen ones still count in a concept's total, so they lower coverage."""
        index = self.vocab.get(term)
        return self.unseen_idf if index is None else float(self.idf_array[index])

    def df_of(self, term: str) -> int:
        index = self.vocab.get(term)
        return 0 if index is None else int(self.df[index])

    def term_weights(self, paper: AnalysedPaper) -> dict[str, float]:
        """The saturated BM25F weights of one paper (also used for papers outside the edition)."""
        length_norm = 1 - B + B * len(paper.abstract.words) / self.avg_abstract_len
        tf: Counter[str] = Counter()
        for term, count in Counter(paper.title.terms).items():
            tf[term] += FIELD_WEIGHTS["title"] * count
        for term, count in Counter(paper.keywords.terms).items():
            tf[term] += FIELD_WEIGHTS["keywords"] * count
        for term, count in Counter(paper.abstract.terms).items():
            tf[term] += FIELD_WEIGHTS["abstract"] * count / length_norm
        weights = {term: value / (value + K1) for term, value in tf.items()}
        primary = (paper.doc.categories or ("",))[0].lower()
        for category in paper.categories:
            weights[category_term(category)] = 1.0 if category == primary else CROSS_LIST_WEIGHT
        return weights

    def papers_with_phrase(self, sequence: tuple[str, ...]) -> np.ndarray:
        """Boolean mask of papers whose title or abstract contains the stemmed phrase."""
        mask = np.zeros(self.n, dtype=bool)
        if not sequence:
            return mask
        acronym = _acronym_of(sequence)
        needle = " " + " ".join(sequence) + " "
        candidates = self._candidates(sequence, acronym)
        for i in candidates:
            if needle in self._sequences[i] or (acronym and acronym in self._canonical[i]):
                mask[i] = True
        return mask

    def _candidates(self, sequence: tuple[str, ...], acronym: str | None) -> Iterable[int]:
        """Papers holding every word of the phrase (or its acronym): a cheap pre-filter."""
        columns = [self.vocab.get(term) for term in ((acronym,) if acronym else sequence)]
        if any(c is None for c in columns):
            return ()
        rarest = min(columns, key=lambda c: self.xt.indptr[c + 1] - self.xt.indptr[c])
        return self.xt.indices[self.xt.indptr[rarest] : self.xt.indptr[rarest + 1]].tolist()


def _to_csr(rows: Sequence[dict[str, float]], vocab: dict[str, int]) -> sparse.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((vocab[t] for r in rows for t in r), dtype=np.int32, count=indptr[-1])
    data = np.fromiter((v for r in rows for v in r.values()), dtype=np.float32, count=indptr[-1])
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)))
    matrix.sort_indices()
    return matrix


def _phrase_text(paper: AnalysedPaper) -> str:
    """Title and abstract stems, one space-padded run per segment, for exact phrase checks."""
    runs: list[str] = []
    for analysis in (paper.title, paper.abstract):
        segment: list[str] = []
        last = None
        for word in analysis.words:
            if word.segment != last and segment:
                runs.append(" ".join(segment))
                segment = []
            segment.append(word.stem)
            last = word.segment
        if segment:
            runs.append(" ".join(segment))
    return " | ".join(f" {run} " for run in runs)


def _canonical_terms(paper: AnalysedPaper) -> frozenset[str]:
    found = {span[0] for a in (paper.title, paper.abstract) for span in a.canonical_spans}
    found |= {w.stem for a in (paper.title, paper.abstract) for w in a.words if w.stem in SYNONYMS}
    return frozenset(found)


def _acronym_of(sequence: tuple[str, ...]) -> str | None:
    """ "LLM" and "large language models" both name the acronym term "llm"."""
    if len(sequence) == 1 and sequence[0] in SYNONYMS:
        return sequence[0]
    return {seq: acronym for acronym, seq in expansions()}.get(sequence)
