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

Work is chunked over profiles and vectorised: concept scores come from sparse products (once per
edition when they fit in memory, else per chunk), each concept keeps a shortlist of its best
papers, and each profile is scored exactly on the union of its concepts' shortlists (see
selection.py), with a dense fallback for the rare profile that cannot be settled that way. No
Python loop runs over readers x papers.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from digest.matching.compiled import CompiledProfiles, ProfileCompiler, local_slots, trim
from digest.matching.concepts import ConceptBook
from digest.matching.dedup import near_duplicate_groups
from digest.matching.dense import dense_relevance, dense_select
from digest.matching.index import PaperIndex
from digest.matching.profiles import Match, PaperDoc, ReaderProfile
from digest.matching.reasons import ReasonWriter
from digest.matching.selection import DEPTH_EXTRA, Selected, Shortlists, select, shortlists

THRESHOLD = 0.45
TREND_BETA = 0.3
DISLIKE_WEIGHT = 0.6
CHUNK_CELLS = 8_000_000  # dense work per block: ~32 MB per float32 array
CHUNK_ROWS = 8192  # profiles per shortlist chunk
SCORE_TABLE_CELLS = 64_000_000  # concepts x papers scored once and kept: at most 256 MB


@dataclass
class Ranked:
    """Every profile's list as flat arrays, best first within a profile."""

    profile: np.ndarray
    paper: np.ndarray
    relevance: np.ndarray
    score: np.ndarray
    concepts: np.ndarray  # (M, 2): strongest concept and the runner-up clearing the threshold


_FIELDS = ("profile", "paper", "relevance", "score", "concepts")


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
        self.compiler = ProfileCompiler(self.book, self.documents, self.position)
        trending = np.log1p(np.maximum([p.trending_score for p in self.papers], 0.0))
        top = trending.max() if len(trending) else 0.0
        trend = trending / top if top > 0 else np.zeros(len(self.papers))
        self.trend_factor = (1.0 + trend_beta * trend).astype(np.float32)
        groups = near_duplicate_groups([p.title for p in self.papers])
        self.groups = groups if len(np.unique(groups)) < len(groups) else None
        self._table: np.ndarray | None = None

    # -- public API ---------------------------------------------------------------------------

    def match_profiles(
        self, profiles: Sequence[ReaderProfile], *, cap: int = 10, threshold: float | None = None
    ) -> list[list[Match]]:
        """One list per profile, best first. Identical profiles are scored once and share one
        list object (and reasons lists are shared too), so treat the results as read-only."""
        distinct: dict[ReaderProfile, int] = {}
        slots = [distinct.setdefault(p, len(distinct)) for p in profiles]
        ranked = self.rank(list(distinct), cap=cap, threshold=threshold)
        ids = [p.id for p in self.papers]
        lists: list[list[Match]] = [[] for _ in distinct]
        reasons = self.writer.reasons
        # Millions of small objects: the cyclic collector would rescan them over and over and
        # make this loop quadratic; none of them can form a cycle.
        collecting = gc.isenabled()
        gc.disable()
        try:
            # Slices keep the temporary Python numbers of tolist() small next to the results.
            for start in range(0, len(ranked.paper), 100_000):
                part = slice(start, start + 100_000)
                for row, paper, relevance, score, first, second in zip(
                    ranked.profile[part].tolist(),
                    ranked.paper[part].tolist(),
                    ranked.relevance[part].tolist(),
                    ranked.score[part].tolist(),
                    ranked.concepts[part, 0].tolist(),
                    ranked.concepts[part, 1].tolist(),
                    strict=True,
                ):
                    why = reasons((first,) if second < 0 else (first, second), paper)
                    lists[row].append(Match(ids[paper], relevance, score, why))
        finally:
            if collecting:
                gc.enable()
        return [lists[s] for s in slots]

    def relevance(self, profiles: Sequence[ReaderProfile]) -> np.ndarray:
        """Dense (profiles x papers) relevance; for evaluation and small batches."""
        compiled = self.compiler.compile(profiles)
        self._build_score_table()
        rows = np.arange(len(profiles))
        scores, positive, negative = self._scores(trim(compiled.positive), trim(compiled.negative))
        return self._dense(compiled, rows, scores, positive, negative)

    def rank(
        self, profiles: Sequence[ReaderProfile], *, cap: int = 10, threshold: float | None = None
    ) -> Ranked:
        """Vectorised core of match_profiles: flat arrays instead of Match objects."""
        threshold = THRESHOLD if threshold is None else threshold
        compiled = self.compiler.compile(profiles)
        self._build_score_table()
        depth = cap + DEPTH_EXTRA
        table_lists = (
            shortlists(self._table, self.trend_factor, depth) if self._table is not None else None
        )
        # Chunks of profiles with similar slot counts waste less work on empty slots.
        order = np.argsort((compiled.positive >= 0).sum(axis=1), kind="stable")
        parts = [
            self._rank_chunk(compiled, order[i : i + CHUNK_ROWS], cap, threshold, table_lists)
            for i in range(0, len(order), CHUNK_ROWS)
        ]
        if not parts:
            return _empty_ranked()
        merged = Ranked(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))
        # Back to caller order, keeping each profile's best-first order.
        keep = np.lexsort((np.arange(len(merged.profile)), merged.profile))
        return Ranked(*(getattr(merged, f)[keep] for f in _FIELDS))

    # -- internals ----------------------------------------------------------------------------

    def _concept_scores(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids) + 1, papers) relevance per concept; the extra last row is all zeros."""
        evidence = (self.book.matrix(ids) @ self.index.xt).toarray().astype(np.float32)
        scores = -np.expm1(-evidence)
        for row, concept_id in enumerate(ids.tolist()):
            gate = self.book.concepts[concept_id].gate
            if gate is not None:
                scores[row] *= gate
        return np.vstack([scores, np.zeros((1, self.index.n), dtype=np.float32)])

    def _build_score_table(self) -> None:
        """Score every known concept once when that fits in SCORE_TABLE_CELLS; chunks then only
        gather rows. With more distinct concepts (many distinct own words), chunks score the
        concepts they use instead, which bounds memory at the cost of repeated work."""
        count = len(self.book.concepts)
        if self._table is not None and len(self._table) == count + 1:
            return
        self._table = None
        if count * self.index.n > SCORE_TABLE_CELLS:
            return
        block = max(1, CHUNK_CELLS // max(1, self.index.n))
        ids = np.arange(count)
        parts = [self._concept_scores(ids[i : i + block])[:-1] for i in range(0, count, block)]
        self._table = np.vstack([*parts, np.zeros((1, self.index.n), dtype=np.float32)])

    def _scores(
        self, positive: np.ndarray, negative: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Score rows for these slots, and the slots re-pointed at those rows (-1 -> zeros)."""
        if self._table is not None:
            empty = len(self._table) - 1
            return self._table, local_slots(positive, empty), local_slots(negative, empty)
        used = np.unique(np.concatenate([positive[positive >= 0], negative[negative >= 0]]))
        scores = self._concept_scores(used)

        def relocate(slots: np.ndarray) -> np.ndarray:
            return np.where(slots >= 0, np.searchsorted(used, slots), len(used))

        return scores, relocate(positive), relocate(negative)

    def _dense(
        self,
        compiled: CompiledProfiles,
        rows: np.ndarray,
        scores: np.ndarray,
        positive: np.ndarray,
        negative: np.ndarray,
    ) -> np.ndarray:
        exclusions = self.compiler.exclusion_matrix(self.index.n)
        return dense_relevance(
            scores=scores,
            positive=positive,
            negative=negative,
            excluded=local_slots(trim(compiled.excluded[rows]), len(exclusions) - 1),
            exclusion_masks=exclusions,
            marked=trim(compiled.marked[rows]),
            dislike_weight=DISLIKE_WEIGHT,
        )

    def _rank_chunk(
        self,
        compiled: CompiledProfiles,
        rows: np.ndarray,
        cap: int,
        threshold: float,
        table_lists: Shortlists | None,
    ) -> Ranked:
        positive_ids = trim(compiled.positive[rows])
        if positive_ids.shape[1] == 0:  # no positive interest in this chunk: nothing to send
            return _empty_ranked()
        scores, positive, negative = self._scores(positive_ids, trim(compiled.negative[rows]))
        lists = table_lists or shortlists(scores, self.trend_factor, cap + DEPTH_EXTRA)
        exclusions = self.compiler.exclusion_matrix(self.index.n)
        chosen = select(
            scores=scores,
            lists=lists,
            positive=positive,
            negative=negative,
            excluded=local_slots(trim(compiled.excluded[rows]), len(exclusions) - 1),
            exclusion_masks=exclusions,
            marked=trim(compiled.marked[rows]),
            trend=self.trend_factor,
            groups=self.groups,
            dislike_weight=DISLIKE_WEIGHT,
            cap=cap,
            threshold=threshold,
        )
        parts = [self._ranked(chosen, rows, positive_ids, positive, scores, threshold)]
        redo = chosen.needs_dense
        for start in range(0, len(redo), max(1, CHUNK_CELLS // max(1, self.index.n))):
            part = redo[start : start + max(1, CHUNK_CELLS // max(1, self.index.n))]
            relevance = self._dense(compiled, rows[part], scores, positive[part], negative[part])
            dense = dense_select(
                relevance=relevance,
                scores=scores,
                positive=positive[part],
                trend=self.trend_factor,
                groups=self.groups,
                cap=cap,
                threshold=threshold,
            )
            parts.append(
                self._ranked(
                    dense, rows[part], positive_ids[part], positive[part], scores, threshold
                )
            )
        return Ranked(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))

    @staticmethod
    def _ranked(
        chosen: Selected,
        rows: np.ndarray,
        positive_ids: np.ndarray,
        positive: np.ndarray,
        scores: np.ndarray,
        threshold: float,
    ) -> Ranked:
        """Attach the concept ids that explain each pick: the best, and the runner-up if it also
        clears the threshold on its own."""
        r = chosen.row
        concepts = np.full((len(r), 2), -1, dtype=np.int32)
        if len(r):
            concepts[:, 0] = positive_ids[r, chosen.slot[:, 0]]
            if chosen.slot.shape[1] > 1:
                runner_up = positive[r, chosen.slot[:, 1]]
                clears = scores[runner_up, chosen.paper] >= threshold
                concepts[:, 1] = np.where(clears, positive_ids[r, chosen.slot[:, 1]], -1)
        return Ranked(
            rows[r].astype(np.int32),
            chosen.paper.astype(np.int32),
            chosen.relevance.astype(np.float32),
            chosen.score.astype(np.float32),
            concepts,
        )


def _empty_ranked() -> Ranked:
    none = np.zeros(0, dtype=np.int32)
    floats = none.astype(np.float32)
    return Ranked(none, none, floats, floats, np.zeros((0, 2), np.int32))
