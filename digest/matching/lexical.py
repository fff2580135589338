"""The lexical half of relevance: tf-idf cosine between a facet's words and each paper, and how
much of the facet's words a paper covers.

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
        # Coverage reuses the index: which papers have a stem, and the stem's smoothed idf.
        self.present_t = (self.matrix > 0).astype(np.float32).T.tocsr()
        self.unseen_idf = float(np.log(1 + self.matrix.shape[0]) + 1)  # idf at df = 0

    def similarity(self, texts: Sequence[str]) -> np.ndarray:
        """Cosine of each text with each paper: (len(texts), papers), float32."""
        if not texts:
            return np.zeros((0, self.matrix.shape[0]), dtype=np.float32)
        queries = self.vectorizer.transform(texts)
        return np.asarray((queries @ self.matrix.T).todense(), dtype=np.float32)

    def coverage(self, texts: Sequence[str]) -> np.ndarray:
        """For each text and paper: the idf-weighted share of the text's distinct words that
        the paper contains (1.0 = every word the reader typed is in the paper). A word no paper
        of the edition has is never covered, so "persistent homology" is half-covered by a
        paper on homology alone."""
        vocabulary, idf = self.vectorizer.vocabulary_, self.vectorizer.idf_
        rows, cols, vals, totals = [], [], [], []
        for i, text in enumerate(texts):
            total = 0.0
            for word in set(terms(text)):
                j = vocabulary.get(word)
                if j is None:
                    total += self.unseen_idf
                    continue
                rows.append(i), cols.append(j), vals.append(idf[j])
                total += idf[j]
            totals.append(total or 1.0)
        weights = sparse.csr_matrix(
            (vals, (rows, cols)), shape=(len(texts), len(vocabulary)), dtype=np.float32
        )
        covered = np.asarray((weights @ self.present_t).todense(), dtype=np.float32)
        return covered / np.array(totals, dtype=np.float32)[:, None]
