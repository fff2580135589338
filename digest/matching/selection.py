"""Each profile's best papers without scoring every (profile, paper) pair.

Relevance is a maximum over a profile's concepts, then only lowered (dislikes, exclusions, papers
already marked), and the trend factor is the same for every profile. So a paper that makes a
profile's list is, for the concept it matched best, among that concept's best papers by
concept score x trend factor. Each concept therefore keeps a shortlist of its DEPTH best papers;
a profile's candidates are the union of its concepts' shortlists, and exact relevance is computed
for those candidates only: work per profile is (concepts x shortlist), not (papers).

Exactness: a paper on no shortlist scores at most the best DEPTH-th shortlist score among the
profile's concepts (`bound`). A profile whose list is full and whose last paper beats that bound,
or whose bound is below the threshold, is exact; the few others (many candidates removed by
exclusions, marks or near-duplicates) are flagged for the dense path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEPTH_EXTRA = 10  # shortlist = cap + this: room for removed candidates before a dense fallback


@dataclass
class Shortlists:
    papers: np.ndarray  # (concepts + 1, depth) best papers per concept row, by score x trend
    bound: np.ndarray  # (concepts + 1,) the depth-th best score: nothing off the list beats it


@dataclass
class Selected:
    row: np.ndarray  # row within the chunk
    paper: np.ndarray
    relevance: np.ndarray
    score: np.ndarray
    slot: np.ndarray  # (M, K) positive slots ordered by concept score, best first
    needs_dense: np.ndarray  # rows whose list may be incomplete: recompute them densely


def shortlists(scores: np.ndarray, trend: np.ndarray, depth: int) -> Shortlists:
    """Shortlists for every row of a (concepts + 1, papers) score matrix."""
    weighted = scores * trend
    n = weighted.shape[1]
    if depth >= n:
        papers = np.broadcast_to(np.arange(n, dtype=np.int32), weighted.shape).copy()
        return Shortlists(papers, np.zeros(len(scores), dtype=np.float32))
    papers = np.argpartition(-weighted, depth - 1, axis=1)[:, :depth].astype(np.int32)
    bound = np.take_along_axis(weighted, papers, axis=1).min(axis=1)
    # The depth-th best is on the list; the best paper *off* it is no better than that.
    return Shortlists(papers, bound.astype(np.float32))


def select(
    *,
    scores: np.ndarray,
    lists: Shortlists,
    positive: np.ndarray,
    negative: np.ndarray,
    excluded: np.ndarray,
    exclusion_masks: np.ndarray,
    marked: np.ndarray,
    trend: np.ndarray,
    groups: np.ndarray | None,
    dislike_weight: float,
    cap: int,
    threshold: float,
) -> Selected:
    """Best `cap` papers per row. Slot arrays index rows of `scores`; its last row is all zeros
    and is what empty (-1) slots point at, after the caller maps them."""
    rows = len(positive)
    candidates = lists.papers[positive].reshape(rows, -1)  # (rows, K * depth)
    candidates = np.sort(candidates, axis=1)
    repeated = np.zeros(candidates.shape, dtype=bool)
    repeated[:, 1:] = candidates[:, 1:] == candidates[:, :-1]
    per_slot = scores[positive[:, :, None], candidates[:, None, :]]  # (rows, K, L)
    relevance = per_slot.max(axis=1)
    if negative.shape[1]:
        disliked = scores[negative[:, :, None], candidates[:, None, :]].max(axis=1)
        relevance *= 1.0 - dislike_weight * disliked
    for slot in range(excluded.shape[1]):
        relevance[exclusion_masks[excluded[:, slot][:, None], candidates]] = 0.0
    for slot in range(marked.shape[1]):
        relevance[candidates == marked[:, slot][:, None]] = 0.0
    valid = (relevance >= threshold) & ~repeated
    score = np.where(valid, relevance * trend[candidates], -1.0)
    order = np.lexsort((candidates, -relevance, -score), axis=-1)
    candidates, relevance, score, valid = (
        np.take_along_axis(a, order, axis=1) for a in (candidates, relevance, score, valid)
    )
    if groups is not None:
        valid &= _first_of_group(groups[candidates])
    valid &= np.cumsum(valid, axis=1) <= cap
    kept = valid.sum(axis=1)
    bound = lists.bound[positive].max(axis=1)
    last = np.where(kept > 0, np.where(valid, score, np.inf).min(axis=1), np.inf)
    complete = np.where(kept >= cap, last >= bound, bound < threshold)
    r, c = np.nonzero(valid & complete[:, None])
    chosen = candidates[r, c]
    slot_scores = scores[positive[r], chosen[:, None]]  # (M, K)
    return Selected(
        row=r,
        paper=chosen,
        relevance=relevance[r, c],
        score=score[r, c],
        slot=np.argsort(-slot_scores, axis=1, kind="stable"),
        needs_dense=np.nonzero(~complete)[0],
    )


def _first_of_group(groups: np.ndarray) -> np.ndarray:
    """True where a row's entry is the first (best placed) of its near-duplicate group."""
    order = np.argsort(groups, axis=1, kind="stable")
    ordered = np.take_along_axis(groups, order, axis=1)
    first_sorted = np.ones(groups.shape, dtype=bool)
    first_sorted[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.empty_like(first_sorted)
    np.put_along_axis(first, order, first_sorted, axis=1)
    return first
