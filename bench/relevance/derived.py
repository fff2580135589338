"""Feedback-only readers derived from graded interests, for fitting and choosing only.

The graded set holds few readers who only marked papers (3 in train, 1 in dev): too few to fit
how "more like this" should be scored. A reader of interest X who marks one or two of X's
must-reads "more like this" wants, roughly, what X wants; so each train (dev) interest with at
least MIN_MUST must-reads gives two feedback-only readers of the split "train-derived"
("dev-derived"): one marking one must-read, one marking two (chosen with a fixed seed), graded
with X's grades, the marked papers removed. Interests with exclusions are left out (their
pools left out what they excluded).

These readers exist only in memory, only for the train and dev splits (calibrate.py); they are
never reported as a result, and the test split and the holdout never get any.
"""

from __future__ import annotations

import random
from dataclasses import replace

from bench.relevance.beir import Dataset, Query

MIN_MUST = 4
SEED = "derived-feedback-2026"


def feedback_readers(dataset: Dataset, split: str) -> list[Query]:
    out = []
    for query in dataset.queries:
        if query.split != split or query.liked or query.exclusions:
            continue
        must = sorted(p for p, g in query.grades.items() if g == 2 and p in dataset.papers)
        if len(must) < MIN_MUST:
            continue
        rng = random.Random(f"{SEED}-{query.id}")
        picks = rng.sample(must, 3)
        for marks in (tuple(picks[:1]), tuple(picks[1:3])):
            grades = {p: g for p, g in query.grades.items() if p not in marks}
            out.append(
                replace(
                    query,
                    id=f"{query.id}~{len(marks)}",
                    split=f"{split}-derived",
                    text="",
                    topics=(),
                    liked=marks,
                    disliked=(),
                    grades=grades,
                )
            )
    return out


def with_feedback_readers(dataset: Dataset, splits: tuple[str, ...]) -> Dataset:
    extra = [q for split in splits for q in feedback_readers(dataset, split)]
    return replace(dataset, queries=[*dataset.queries, *extra])
