"""The lexical half of relevance: tf-idf cosine between a facet's words and each paper.

scikit-learn's TfidfVectorizer with our analyzer (text.terms: stems without stop words, plus
the pairs of adjacent stems, so "reinforcement learning" as a pair weighs more than its words
apart), sublinear term frequency and smoothed idf over the edition's papers. The title is
counted twice: it is what the paper says it is about.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from digest.matching.profiles import PaperDoc
from digest.matching.text import terms


def analyzer(text: str) -> list[str]:
    stems = terms(text)
    return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]


def paper_text(paper: PaperDoc) -> str:
    return f"{paper.title}. {paper.title}. {paper.abstract} {' '.join(paper.keywords)}"


class LexicalIndex:
    """The edition's papers (idf from the edition: the words that are rare today are the ones
    that tell papers apart today)."""

    def __init__(self, papers: Sequence[PaperDoc]) -> None:
        self.vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)
        texts = [paper_text(p) for p in papers]
        self.matrix: sparse.csr_matrix = self.vectorizer.fit_transform(texts or [""])
        self.stems = [frozenset(terms(f"{p.title} {p.abstract}")) for p in papers]

    def similarity(self, texts: Sequence[str]) -> np.ndarray:
        """Cosine of each text with each paper: (len(texts), papers), float32."""
        if not texts:
            return np.zeros((0, self.matrix.shape[0]), dtype=np.float32)
        queries = self.vectorizer.transform(texts)
        return np.asarray((queries @ self.matrix.T).todense(), dtype=np.float32)
