"""Score every (reader profile, paper) pair of an edition and pick each reader's list.

Relevance of a paper to a profile (all values in [0, 1]):

    r_pos  = max over the profile's concepts c of  1 - exp(-q_c · x_paper)     (see concepts.py)
    r_neg  = the same maximum over papers the reader marked "less like this"
    relevance = r_pos · (1 - 0.6 · r_neg), and 0 when an excluded phrase occurs in the title or
                abstract, or when the reader already marked the paper.

The maximum means interests are alternatives: a paper only needs to match one of them well, and a
reader with five topics is held to the same bar as a reader with one.

Included: relevance >= THRESHOLD (0.45). The scale has a meaning before any data: for own words,
0.45 is reached when ~30% of the phrase's idf weight occurs once in the abstract, or the whole
phrase once in the abstract gives 0.63 (see concepts.py). The value itself comes from the score
distributions of the train half of the labelled set (evaluation.calibrate_threshold): the midpoint
between the 10th percentile of clearly relevant pairs (0.54) and the 90th percentile of unrelated
pairs (0.32) is 0.43, rounded to 0.45. The held-out half alone would give 0.39, so the value is
not tied to the interests it was computed on; the held-out half is reported separately.

Order inside a list (blend of relevance and community signal):

    trend = log(1 + trending_score) / log(1 + max trending_score of the edition)   (0 if all 0)
    score = relevance · (1 + β · trend),  β = 0.3

Trending never lets an irrelevant paper in (inclusion uses relevance only); among included papers
the most trending can overtake one up to 30% more relevant. Equal trending keeps relevance order.
Then near-duplicates are dropped (best placed kept, see dedup.py) and the list is cut at `cap`.

Work is chunked over profiles and vectorised over papers: concept scores come from one sparse
product per chunk, the profile maximum from one gather per concept slot, selection from
argpartition; no Python loop runs over readers x papers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from digest.matching.concepts import ConceptBook
from digest.matching.dedup import near_duplicate_groups
from digest.matching.index import PaperIndex
from digest.matching.profiles import Match, PaperDoc, ReaderProfile
from digest.matching.reasons import ReasonWriter
from digest.matching.text import split_phrases, stem_sequence

THRESHOLD = 0.45
TREND_BETA = 0.3
DISLIKE_WEIGHT = 0.6
CHUNK_CELLS = 4_000_000  # profiles x papers per chunk: ~16 MB per float32 block


@dataclass
class CompiledProfiles:
    """Profiles as padded index arrays (-1 = empty slot), ready for vectorised scoring."""

    positive: np.ndarray  # (P, K) concept ids
    negative: np.ndarray  # (P, K) concept ids of "less like this" papers
    excluded: np.ndarray  # (P, K) exclusion phrase ids
    marked: np.ndarray  # (P, K) paper indices the reader already marked


@dataclass
class Ranked:
    """Every profile's list as flat arrays, best first within a profile."""

    profile: np.ndarray
    paper: np.ndarray
    relevance: np.ndarray
    score: np.ndarray
    concepts: np.ndarray  # (M, 2): strongest concept and the runner-up clearing the threshold


class Matcher:
    """Built once per edition; scores any number of profiles against its papers."""

    def __init__(
        self,
        papers: Sequence[PaperDoc],
        *,
        reference_papers: Mapping[str, PaperDoc] | None = None,
        trend_beta: float = TREND_BETA,
    ) -> None:
        self.papers = list(papers)
        self.index = PaperIndex(self.papers)
        self.book = ConceptBook(self.index)
        self.writer = ReasonWriter(self.index, self.book)
        self.documents = {**(reference_papers or {}), **{p.id: p for p in self.papers}}
        self.position = {p.id: i for i, p in enumerate(self.papers)}
        trending = np.log1p(np.maximum([p.trending_score for p in self.papers], 0.0))
        top = trending.max() if len(trending) else 0.0
        trend = trending / top if top > 0 else np.zeros(len(self.papers))
        self.trend_factor = (1.0 + trend_beta * trend).astype(np.float32)
        self.groups = near_duplicate_groups([p.title for p in self.papers])
        self.duplicate_slack = len(self.groups) - len(np.unique(self.groups))
        self._exclusions: dict[tuple[str, ...], int] = {}
        self._exclusion_masks: list[np.ndarray] = []
        self._interest_cache: dict[str, list[int]] = {}
        self._exclusion_cache: dict[str, list[int]] = {}

    # -- public API ---------------------------------------------------------------------------

    def match_profiles(
        self, profiles: Sequence[ReaderProfile], *, cap: int = 10, threshold: float | None = None
    ) -> list[list[Match]]:
        """One list per profile, best first; identical profiles are scored once."""
        distinct: dict[ReaderProfile, int] = {}
        slots = [distinct.setdefault(p, len(distinct)) for p in profiles]
        ranked = self.rank(list(distinct), cap=cap, threshold=threshold)
        lists: list[list[Match]] = [[] for _ in distinct]
        for row, paper, relevance, score, concepts in zip(
            ranked.profile.tolist(),
            ranked.paper.tolist(),
            ranked.relevance.tolist(),
            ranked.score.tolist(),
            ranked.concepts.tolist(),
        ):
            reasons = self.writer.reasons(tuple(c for c in concepts if c >= 0), paper)
            lists[row].append(Match(self.papers[paper].id, relevance, score, reasons))
        return [list(lists[s]) for s in slots]

    def relevance(self, profiles: Sequence[ReaderProfile]) -> np.ndarray:
        """Dense (profiles x papers) relevance; for evaluation and small batches."""
        compiled = self.compile(profiles)
        return self._relevance_block(compiled, np.arange(len(profiles)))[0]

    def rank(
        self, profiles: Sequence[ReaderProfile], *, cap: int = 10, threshold: float | None = None
    ) -> Ranked:
        """Vectorised core of match_profiles: flat arrays instead of Match objects."""
        threshold = THRESHOLD if threshold is None else threshold
        compiled = self.compile(profiles)
        # Chunks of profiles with similar slot counts waste less work on empty slots.
        order = np.argsort((compiled.positive >= 0).sum(axis=1), kind="stable")
        rows_per_chunk = max(1, CHUNK_CELLS // max(1, self.index.n))
        parts = [
            self._rank_chunk(compiled, order[i : i + rows_per_chunk], cap, threshold)
            for i in range(0, len(order), rows_per_chunk)
        ]
        if not parts:
            return _empty_ranked()
        merged = Ranked(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))
        # Back to caller order, keeping each profile's best-first order.
        keep = np.lexsort((np.arange(len(merged.profile)), merged.profile))
        return Ranked(*(getattr(merged, f)[keep] for f in _FIELDS))

    def compile(self, profiles: Sequence[ReaderProfile]) -> CompiledProfiles:
        """Turn profiles into concept, exclusion and marked-paper index arrays."""
        positive, negative, excluded, marked = [], [], [], []
        for profile in profiles:
            ids = [self.book.topic(t) for t in profile.topics]
            ids += self._phrase_concepts(profile.interests)
            ids += [
                self.book.paper(self.documents[i]) for i in profile.liked if i in self.documents
            ]
            positive.append(ids)
            negative.append(
                [
                    self.book.paper(self.documents[i])
                    for i in profile.disliked
                    if i in self.documents
                ]
            )
            excluded.append(self._exclusion_ids(profile.exclusions))
            seen = (*profile.liked, *profile.disliked)
            marked.append([self.position[i] for i in seen if i in self.position])
        return CompiledProfiles(*(_pad(x) for x in (positive, negative, excluded, marked)))

    # -- internals ----------------------------------------------------------------------------

    def _phrase_concepts(self, interests: str) -> list[int]:
        if interests not in self._interest_cache:
            self._interest_cache[interests] = [self.book.words(p) for p in split_phrases(interests)]
        return self._interest_cache[interests]

    def _exclusion_ids(self, exclusions: str) -> list[int]:
        if exclusions not in self._exclusion_cache:
            self._exclusion_cache[exclusions] = [
                self._exclusion(p) for p in split_phrases(exclusions)
            ]
        return self._exclusion_cache[exclusions]

    def _exclusion(self, phrase: str) -> int:
        sequence = stem_sequence(phrase)
        if sequence not in self._exclusions:
            self._exclusions[sequence] = len(self._exclusion_masks)
            self._exclusion_masks.append(self.book.phrase_mask(sequence))
        return self._exclusions[sequence]

    def _concept_scores(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids) + 1, papers) relevance per concept; the extra last row is all zeros."""
        evidence = (self.book.matrix(ids) @ self.index.xt).toarray().astype(np.float32)
        scores = -np.expm1(-evidence)
        for row, concept_id in enumerate(ids.tolist()):
            gate = self.book.concepts[concept_id].gate
            if gate is not None:
                scores[row] *= gate
        return np.vstack([scores, np.zeros((1, self.index.n), dtype=np.float32)])

    def _max_over_slots(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Maximum concept score per (profile, paper); also the scores and local slot ids."""
        used = np.unique(slots[slots >= 0])
        scores = self._concept_scores(used)
        local = np.where(slots >= 0, np.searchsorted(used, slots), len(used))
        best = np.zeros((len(slots), self.index.n), dtype=np.float32)
        for k in range(slots.shape[1]):
            np.maximum(best, scores[local[:, k]], out=best)
        return best, scores, local

    def _relevance_block(
        self, compiled: CompiledProfiles, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        positive = _trim(compiled.positive[rows])
        relevance, scores, local = self._max_over_slots(positive)
        negative = _trim(compiled.negative[rows])
        if negative.shape[1]:
            relevance *= 1.0 - DISLIKE_WEIGHT * self._max_over_slots(negative)[0]
        excluded = _trim(compiled.excluded[rows])
        if excluded.shape[1]:
            masks = np.vstack([*self._exclusion_masks, np.zeros(self.index.n, dtype=bool)])
            for k in range(excluded.shape[1]):
                relevance[masks[excluded[:, k]]] = 0.0
        marked = _trim(compiled.marked[rows])
        r, k = np.nonzero(marked >= 0)
        relevance[r, marked[r, k]] = 0.0
        return relevance, scores, local

    def _rank_chunk(
        self, compiled: CompiledProfiles, rows: np.ndarray, cap: int, threshold: float
    ) -> Ranked:
        relevance, scores, local = self._relevance_block(compiled, rows)
        n = self.index.n
        if local.shape[1] == 0:  # no positive interest at all in this chunk: nothing to send
            return _empty_ranked()
        score = np.where(relevance >= threshold, relevance * self.trend_factor, -1.0)
        width = min(n, cap + self.duplicate_slack)
        if width < n:
            top = np.argpartition(-score, width - 1, axis=1)[:, :width]
        else:
            top = np.broadcast_to(np.arange(n), score.shape)
        top_score = np.take_along_axis(score, top, axis=1)
        top_rel = np.take_along_axis(relevance, top, axis=1)
        order = np.lexsort((top, -top_rel, -top_score), axis=-1)
        top, top_score, top_rel = (
            np.take_along_axis(a, order, axis=1) for a in (top, top_score, top_rel)
        )
        keep = top_score >= 0
        if self.duplicate_slack:
            groups = self.groups[top]
            for j in range(1, width):
                keep[:, j] &= ~(groups[:, :j] == groups[:, j : j + 1]).any(axis=1)
        keep &= np.cumsum(keep, axis=1) <= cap
        r, c = np.nonzero(keep)
        papers = top[r, c]
        per_slot = scores[local[r], papers[:, None]]  # (M, K) concept scores of kept pairs
        ranked_slots = np.argsort(-per_slot, axis=1, kind="stable")[:, :2]
        concept_ids = _trim(compiled.positive[rows])[r[:, None], ranked_slots]
        second = (
            np.take_along_axis(per_slot, ranked_slots, axis=1)[:, 1:2]
            if per_slot.shape[1] > 1
            else None
        )
        if second is None:
            concept_ids = np.hstack([concept_ids[:, :1], np.full((len(r), 1), -1)])
        else:
            concept_ids[:, 1] = np.where(second[:, 0] >= threshold, concept_ids[:, 1], -1)
        return Ranked(
            rows[r].astype(np.int32),
            papers.astype(np.int32),
            top_rel[r, c].astype(np.float32),
            top_score[r, c].astype(np.float32),
            concept_ids.astype(np.int32),
        )


_FIELDS = ("profile", "paper", "relevance", "score", "concepts")


def _empty_ranked() -> Ranked:
    none = np.zeros(0, dtype=np.int32)
    return Ranked(
        none, none, none.astype(np.float32), none.astype(np.float32), np.zeros((0, 2), np.int32)
    )


def _pad(lists: list[list[int]]) -> np.ndarray:
    width = max((len(x) for x in lists), default=0)
    out = np.full((len(lists), width), -1, dtype=np.int32)
    for i, values in enumerate(lists):
        out[i, : len(values)] = values
    return out


def _trim(slots: np.ndarray) -> np.ndarray:
    """Drop slot columns that are empty for every row of this chunk."""
    filled = (slots >= 0).any(axis=0)
    return slots[:, : (np.nonzero(filled)[0].max() + 1) if filled.any() else 0]
