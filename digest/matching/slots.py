"""Index arithmetic of the engine: each profile's facets as one padded row ("slots")."""

from __future__ import annotations

import numpy as np


def padded(lists: list[list[int]]) -> np.ndarray:
    """Each list's facet ids as one row, padded with -1."""
    slots = np.full((len(lists), max([1, *map(len, lists)])), -1, dtype=np.int64)
    for i, facets in enumerate(lists):
        slots[i, : len(facets)] = facets
    return slots


def scores_at(
    facets: np.ndarray, table: np.ndarray, where: np.ndarray, top: np.ndarray
) -> np.ndarray:
    """table[facet of row i, top[i, c]] for rows that have a facet in this slot (else -inf)."""
    out = np.full(top.shape, -np.inf, dtype=np.float32)
    present = facets >= 0
    out[present] = table[where[facets[present]][:, None], top[present]]
    return out
