"""Dense scoring of a block of profiles against every paper: for evaluation, small batches and
the few profiles the shortlist path (selection.py) cannot settle exactly."""

from __future__ import annotations

import numpy as np

from digest.matching.selection import Selected


def dense_relevance(
    *,
    scores: np.ndarray,
    positive: np.ndarray,
    negative: np.ndarray,
    excluded: np.ndarray,
    exclusion_masks: np.ndarray,
    marked: np.ndarray,
    dislike_weight: float,
) -> np.ndarray:
    """(rows, papers) relevance; slot arrays index rows of `scores` (last row all zeros)."""
    best = np.zeros((len(positive), scores.shape[1]), dtype=np.float32)
    for slot in range(positive.shape[1]):
        np.maximum(best, scores[positive[:, slot]], out=best)
    if negative.shape[1]:
        disliked = np.zeros_like(best)
        for slot in range(negative.shape[1]):
            np.maximum(disliked, scores[negative[:, slot]], out=disliked)
        best *= 1.0 - dislike_weight * disliked
    for slot in range(excluded.shape[1]):
        best[exclusion_masks[excluded[:, slot]]] = 0.0
    rows, slots = np.nonzero(marked >= 0)
    best[rows, marked[rows, slots]] = 0.0
    return best


def dense_select(
    *,
    relevance: np.ndarray,
    scores: np.ndarray,
    positive: np.ndarray,
    trend: np.ndarray,
    groups: np.ndarray | None,
    cap: int,
    threshold: float,
) -> Selected:
    """Best `cap` papers per row from dense relevance; only pairs above threshold are sorted."""
    r, papers = np.nonzero(relevance >= threshold)
    rel = relevance[r, papers]
    score = rel * trend[papers]
    order = np.lexsort((papers, -rel, -score, r))  # by row, then best first
    r, papers, rel, score = r[order], papers[order], rel[order], score[order]
    if groups is not None:
        # Keep the best-placed paper of each near-duplicate group in each row.
        first = np.unique(
            r.astype(np.int64) * (groups.max() + 1) + groups[papers], return_index=True
        )[1]
        best = np.zeros(len(r), dtype=bool)
        best[first] = True
        r, papers, rel, score = r[best], papers[best], rel[best], score[best]
    within = np.arange(len(r)) - np.searchsorted(r, r, side="left")
    keep = within < cap
    r, papers, rel, score = r[keep], papers[keep], rel[keep], score[keep]
    slot_scores = scores[positive[r], papers[:, None]]
    return Selected(
        row=r,
        paper=papers,
        relevance=rel,
        score=score,
        slot=np.argsort(-slot_scores, axis=1, kind="stable"),
        needs_dense=np.zeros(0, dtype=np.int64),
    )
