"""Near-duplicate papers: the same work under two ids, or a title reposted with a typo fixed.

Titles are compared as sets of character 4-grams of their normalised text (lowercase, letters and
digits only); two papers whose sets have Jaccard similarity >= 0.8 are near-duplicates, and
near-duplicates are grouped transitively. A reader's list keeps only the best-placed paper of
each group. Computed once per edition with one sparse product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from digest.matching.text import clean

JACCARD_THRESHOLD = 0.8
SHINGLE = 4


def shingles(title: str) -> set[str]:
    text = " ".join(re.findall(r"[^\W_]+", clean(title).lower()))
    if len(text) <= SHINGLE:
        return {text} if text else set()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def title_jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 0.0


def near_duplicate_groups(
    titles: Sequence[str], threshold: float = JACCARD_THRESHOLD
) -> np.ndarray:
    """A group label per title; titles with the same label are near-duplicates of each other."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, title in enumerate(titles):
        for gram in shingles(title):
            rows.append(i)
            cols.append(vocab.setdefault(gram, len(vocab)))
    n = len(titles)
    m = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, max(1, len(vocab)))
    )
    sizes = np.asarray(m.sum(axis=1)).ravel()
    overlap = (m @ m.T).tocoo()
    union = sizes[overlap.row] + sizes[overlap.col] - overlap.data
    similar = (overlap.data >= threshold * np.maximum(union, 1)) & (overlap.row != overlap.col)
    graph = sparse.csr_matrix(
        (np.ones(similar.sum()), (overlap.row[similar], overlap.col[similar])), shape=(n, n)
    )
    return connected_components(graph, directed=False)[1].astype(np.int32)
