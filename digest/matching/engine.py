"""Score every (reader profile, paper) pair of an edition and pick each reader's list.

For a facet f (facets.py: one interest phrase, one topic, the marked papers) and a paper p:

    semantic   = cosine of the sentence embeddings of f and p                 (encoder.py)
    semantic_z = the same as a z-score against f's cosines with 200 background papers
    lexical    = tf-idf cosine of f's words and p's words                      (lexical.py)
    coverage   = idf-weighted share of f's distinct words that p contains      (lexical.py)
    relative   = semantic and lexical each min-max scaled over the edition's papers
    P(f, p)    = sigmoid(bias_k + w_k · (semantic_z, semantic, lexical, coverage, relative))

with k the facet's kind and the weights of calibration.py (relative ones only for marked papers;
without embeddings its lexical-only weights, and nothing for a paper sharing no word with f).
A quoted facet counts only where the paper contains the quoted words. For a profile:

    relevance = max over positive facets of P · (1 - 0.6 · max over "less like this" papers of P)

and 0 where an excluded phrase occurs in the title, abstract or keywords, or for a marked paper.

Included: every paper with relevance >= the floor (calibration.py: FLOOR; PAPER_FLOOR for a
reader who only marked papers), best first, up to the reader's cap; ordered in log-odds, so
papers whose probability rounds to 1 keep their order:

    trend   = log(1 + trending_score) / log(1 + max trending_score of the edition)   (0 if all 0)
    nearest = highest cosine of the reader's text facets with any sentence of p    (sentences.py)
    key     = logit(relevance) + log(1 + 0.3 · trend) + SENTENCE_BETA · nearest
(nearest = 0 for a reader with "more like this" marks: the papers their marks bring in would
rank below all their words find; the term was measured on readers who typed and marked nothing.)

Trending never lets an irrelevant paper in. Near-duplicates are dropped (dedup.py). Scale:
facets are shared by the profiles that have them (a topic ticked by a million readers is scored
once); the facet x paper table of log-odds is computed once per edition when it fits in
SCORE_TABLE_CELLS, else per chunk of profiles; maxima are taken slot by slot over the readers'
facets, lists with argpartition (no Python loop over readers x papers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from digest.matching import calibration
from digest.matching.dedup import near_duplicate_groups
from digest.matching.facets import Facet, background_texts, negative_facets, positive_facets
from digest.matching.lexical import LexicalIndex
from digest.matching.phrases import PhraseIndex
from digest.matching.profiles import Match, PaperDoc, ReaderProfile
from digest.matching.reasons import ReasonWriter
from digest.matching.sentences import SentenceIndex
from digest.matching.slots import max_over, padded, scores_at

TREND_BETA = 0.3
DISLIKE_WEIGHT = 0.6
SENTENCE_BETA = 16.0  # chosen out of fold on development readers (docs/relevance.md, session 10)
CHUNK_ROWS = 4096
SCORE_TABLE_CELLS = 64_000_000  # facets x papers scored once and kept: at most 256 MB

Embed = Callable[[list[str]], np.ndarray]


def _chunks(n: int) -> list[range]:
    return [range(s, min(s + CHUNK_ROWS, n)) for s in range(0, n, CHUNK_ROWS)]


@dataclass
class _Plan:
    """The facets of a list of profiles, as indices into one shared facet table."""

    positive: list[list[int]]
    negative: list[list[int]]
    exclusions: list[str]
    marked: list[list[int]]
    marks_only: list[bool]  # nothing typed, no topic: cut at the marked papers' own floor
    marks: list[bool]  # "more like this" marks (a positive paper facet)


class Matcher:
    """Built once per edition; scores any number of profiles against its papers.

    `embed` turns texts into unit vectors (the app passes a cached encoder); papers then need
    their `vector`. Without `embed`, or when a paper has no vector, matching is lexical only.
    """

    def __init__(
        self,
        papers: Sequence[PaperDoc],
        *,
        reference_papers: Mapping[str, PaperDoc] | None = None,
        embed: Embed | None = None,
        background: np.ndarray | None = None,
    ) -> None:
        self.papers = list(papers)
        self.position = {p.id: i for i, p in enumerate(self.papers)}
        self.references = {**(reference_papers or {}), **{p.id: p for p in self.papers}}
        self.lexical = LexicalIndex(self.papers)
        semantic = embed is not None and all(p.vector is not None for p in self.papers)
        self.embed = embed if semantic else None
        self.weights = calibration.HYBRID if semantic else calibration.LEXICAL
        self.floor = calibration.FLOOR if semantic else calibration.LEXICAL_FLOOR
        paper_floor = calibration.PAPER_FLOOR if semantic else self.floor
        vectors = [p.vector for p in self.papers] if semantic else []
        self.paper_vectors = np.stack(vectors).astype(np.float32) if vectors else None
        self.sentences = SentenceIndex.of(self.papers) if semantic else None
        if self.embed is not None and background is None:
            background = self.embed(background_texts())
        self.background = background
        trending = np.array([max(p.trending_score, 0.0) for p in self.papers], dtype=np.float32)
        top = float(np.log1p(trending.max())) if len(trending) else 0.0
        trend = np.log1p(trending) / top if top > 0 else np.zeros_like(trending)
        self.trend_factor = 1 + TREND_BETA * trend
        self.log_trend = np.log(self.trend_factor).astype(np.float32)
        self.floor_logit = calibration.logit(self.floor)
        self.paper_floor_logit = calibration.logit(paper_floor)
        self.groups = near_duplicate_groups([p.title for p in self.papers])
        self.has_duplicates = len(np.unique(self.groups)) < len(self.papers)
        self.facets: list[Facet] = []
        self._facet_index: dict[Facet, int] = {}
        self._table: np.ndarray | None = None  # facets x papers: log-odds
        self._nearest: np.ndarray | None = None  # facets x papers: closest sentence (-inf: none)
        self.phrases = PhraseIndex(self.papers)
        self.reasons = ReasonWriter(self.facets, self.lexical.stems)

    def _index(self, facets: list[Facet]) -> list[int]:
        out = []
        for facet in facets:
            if facet not in self._facet_index:
                self._facet_index[facet] = len(self.facets)
                self.facets.append(facet)
            out.append(self._facet_index[facet])
        return out

    def _plan(self, profiles: Sequence[ReaderProfile]) -> _Plan:
        plan = _Plan([], [], [], [], [], [])
        for profile in profiles:
            plan.positive.append(self._index(positive_facets(profile, self.references)))
            plan.negative.append(self._index(negative_facets(profile, self.references)))
            plan.exclusions.append(profile.exclusions.strip())
            marked = (*profile.liked, *profile.disliked)
            plan.marked.append([self.position[i] for i in marked if i in self.position])
            typed = profile.interests.strip() or profile.topics
            plan.marks_only.append(bool(profile.liked) and not typed)
            plan.marks.append(bool(profile.liked))
        return plan

    def facet_parts(self, rows: Sequence[int], vectors=None) -> calibration.Parts:
        """Similarities of these facets (with their `vectors`, if known) with every paper;
        semantic also as z-scores against the background papers (tf-idf has no such
        distribution: mostly exact zeros)."""
        facets = [self.facets[r] for r in rows]
        if vectors is None and self.embed is not None:
            vectors = self._vectors(facets)
        lexical = self.lexical.similarity([f.words for f in facets])
        coverage = self.lexical.coverage([f.words for f in facets])
        if vectors is None:
            zeros = np.zeros_like(lexical)
            return calibration.Parts(zeros, lexical, zeros, coverage)
        semantic = vectors @ self.paper_vectors.T
        semantic_z = calibration.against(semantic, vectors @ self.background.T)
        return calibration.Parts(semantic, lexical, semantic_z, coverage)

    def _vectors(self, facets: list[Facet]) -> np.ndarray:
        vectors = np.zeros((len(facets), self.paper_vectors.shape[1]), dtype=np.float32)
        texts = [i for i, f in enumerate(facets) if f.kind != "paper"]
        if texts:
            vectors[texts] = self.embed([facets[i].text for i in texts])
        for i, f in enumerate(facets):
            if f.kind == "paper":
                vectors[i] = self._centroid(f)
        return vectors

    def _centroid(self, facet: Facet) -> np.ndarray:
        """Marked papers reuse their stored vectors; one without a vector is embedded here."""
        papers = [self.references[i] for i in facet.paper_ids]
        vectors = [
            self.embed([f"{p.title}. {p.abstract}"])[0] if p.vector is None else p.vector
            for p in papers
        ]
        centroid = np.mean(vectors, axis=0)
        return centroid / (np.linalg.norm(centroid) + 1e-12)

    def _facet_scores(self, rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(log-odds, nearest sentence) of these facets with every paper."""
        facets = [self.facets[r] for r in rows]
        vectors = self._vectors(facets) if self.embed is not None else None
        parts = self.facet_parts(rows, vectors)
        out = np.empty_like(parts.lexical)
        nearest = np.full_like(out, -np.inf)
        text = [i for i, f in enumerate(facets) if f.kind != "paper"]
        if self.sentences is not None and text:
            nearest[text] = self.sentences.closest(vectors[text])
        for i, facet in enumerate(facets):
            kind = "words" if facet.kind == "quoted" else facet.kind
            out[i] = self.weights[kind].logit(parts.row(i))
            if self.embed is None:  # on words alone, no shared word is no evidence
                out[i][parts.lexical[i] <= 0] = -np.inf
            if facet.kind == "quoted":
                out[i][~self.phrases.contains(facet.words)] = -np.inf
        return out, nearest

    def _scores_of(self, facet_ids: set[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(table, nearest, where): these facets' rows of log-odds and nearest sentence, and
        where each facet's row is (all facets', kept for the edition, if SCORE_TABLE_CELLS)."""
        if len(self.facets) * max(1, len(self.papers)) <= SCORE_TABLE_CELLS:
            if self._table is None:
                self._table = self._nearest = np.zeros((0, len(self.papers)), dtype=np.float32)
            if len(self._table) < len(self.facets):
                new, nearest = self._facet_scores(range(len(self._table), len(self.facets)))
                self._table = np.vstack([self._table, new])
                self._nearest = np.vstack([self._nearest, nearest])
            return self._table, self._nearest, np.arange(len(self.facets))
        wanted = sorted(facet_ids)
        where = np.full(len(self.facets), -1, dtype=np.int64)
        where[wanted] = np.arange(len(wanted))
        return *self._facet_scores(wanted), where

    def _chunk_relevance(self, plan: _Plan, rows: range) -> tuple[np.ndarray, ...]:
        """(log-odds of relevance, positive slots, table, nearest, where) for a chunk."""
        positive = padded([plan.positive[r] for r in rows])
        negative = padded([plan.negative[r] for r in rows])
        used = {int(f) for f in np.unique(np.concatenate([positive.ravel(), negative.ravel()]))}
        table, nearest, where = self._scores_of(used - {-1})
        logit = max_over(positive, table, where)
        disliking = negative[:, 0] >= 0
        if disliking.any():
            worst = calibration.sigmoid(max_over(negative[disliking], table, where))
            logit[disliking] += np.log1p(-DISLIKE_WEIGHT * worst)
        for i, r in enumerate(rows):
            if plan.exclusions[r]:
                logit[i][self.phrases.excluded(plan.exclusions[r])] = -np.inf
            if plan.marked[r]:
                logit[i, plan.marked[r]] = -np.inf
        return logit, positive, table, nearest, where

    def relevance(self, profiles: Sequence[ReaderProfile]) -> np.ndarray:
        """(profiles, papers) calibrated relevance, exclusions and marks applied."""
        plan = self._plan(profiles)
        chunks = [
            calibration.sigmoid(self._chunk_relevance(plan, r)[0]) for r in _chunks(len(profiles))
        ]
        return np.vstack(chunks or [np.zeros((0, len(self.papers)), dtype=np.float32)])

    def match_profiles(
        self, profiles: Sequence[ReaderProfile], *, cap: int = 10
    ) -> list[list[Match]]:
        """For each profile (same order), its matches best first, at most `cap`."""
        if not self.papers or not profiles:
            return [[] for _ in profiles]
        plan = self._plan(profiles)
        return [m for rows in _chunks(len(profiles)) for m in self._chunk_lists(plan, rows, cap)]

    def _chunk_lists(self, plan: _Plan, rows: range, cap: int) -> list[list[Match]]:
        logit, slots, table, nearest, where = self._chunk_relevance(plan, rows)
        # The order key of the module docstring; only included papers compete.
        marks_only = np.array([plan.marks_only[r] for r in rows])[:, None]
        floor = np.where(marks_only, self.paper_floor_logit, self.floor_logit)
        key = np.where(logit >= floor, logit + self.log_trend, -np.inf)
        if self.sentences is not None and SENTENCE_BETA:
            closest = max_over(slots, nearest, where)
            np.nan_to_num(closest, copy=False, neginf=0.0)  # -inf: no text facet
            closest[np.array([plan.marks[r] for r in rows], dtype=bool)] = 0  # see the docstring
            closest *= SENTENCE_BETA
            key += closest
        depth = min(len(self.papers), cap + (10 if self.has_duplicates else 0))
        top = np.argpartition(-key, depth - 1, axis=1)[:, :depth]
        order = np.argsort(-np.take_along_axis(key, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        keep = np.take_along_axis(key, top, axis=1) > -np.inf
        if self.has_duplicates:
            groups = self.groups[top]
            earlier = (groups[:, :, None] == groups[:, None, :]) & keep[:, None, :]
            keep &= ~np.tril(earlier, k=-1).any(axis=2)
        # Which facets decided each listed paper: the best, and a runner-up clearing the floor.
        per_slot = np.stack(
            [scores_at(slots[:, k], table, where, top) for k in range(slots.shape[1])]
        )
        ranked = np.argsort(-per_slot, axis=0, kind="stable")[:2]
        best = np.take_along_axis(slots, ranked[0], axis=1)
        second = np.full_like(best, -1)
        if len(ranked) > 1:
            runner = np.take_along_axis(slots, ranked[1], axis=1)
            value = np.take_along_axis(per_slot, ranked[1][None], axis=0)[0]
            second = np.where(calibration.sigmoid(value) >= self.floor, runner, -1)
        relevance = calibration.sigmoid(np.take_along_axis(logit, top, axis=1))
        score = (relevance * self.trend_factor[top]).tolist()
        relevance, best, second, top = (a.tolist() for a in (relevance, best, second, top))
        return [
            [
                Match(
                    paper_id=self.papers[top[i][c]].id,
                    relevance=relevance[i][c],
                    score=score[i][c],
                    reasons=self.reasons.reasons(best[i][c], second[i][c], top[i][c]),
                )
                for c in np.nonzero(keep[i])[0][:cap].tolist()
            ]
            for i in range(len(rows))
        ]
