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


def max_over(slots: np.ndarray, table: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Row-wise maximum over the facets in each row of `slots` of their table rows (-inf for
    none): table[where[f]] is facet f's row."""
    out = np.full((len(slots), table.shape[1]), -np.inf, dtype=np.float32)
    for k in range(slots.shape[1]):
        present = slots[:, k] >= 0
        if present.all():  # in place, no gather and scatter (bench match: 57.3 -> 52.9 s)
            rows = table[where[slots[:, k]]]
            out = rows if k == 0 else np.maximum(out, rows, out=out)
        elif present.any():
            rows = table[where[slots[present, k]]]
            out[present] = rows if k == 0 else np.maximum(out[present], rows)
    return out
