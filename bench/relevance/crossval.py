"""Leave-one-set-out check of a fitting change (session 8; docs/relevance.md, "Session 8").

    .venv/bin/python -m bench.relevance.crossval [--columns base|all] [--paper-only]
        [--judged] [--typed-only]

Each of fresh, fresh2 and fresh3 in turn is held out. The weights are fitted by calibrate.py's
steps (direction, lexical share, scale and bias) on the paperboy train/test readers and the two
other fresh sets (their typed readers for topic and words; their marking readers, with mlt's
and the holdout's, for marked papers), the floor by the floor rule on the floor readers, which
fit nothing. The held-out readers are scored with those weights and with the committed ones
(one floor for every reader, as calibrate.py scans floors). Prints each fold and the pooled
means: typed readers nDCG@10 and must-have recall, marking readers nDCG@20.

--columns base: the four session-7 features (session 8's change A); all: with the two relative
features (B). --paper-only: the committed topic and words weights and FLOOR, only "paper"
fitted (C). Session 9: --judged fits the direction on each reader's graded papers only (G);
--typed-only keeps the committed "paper" weights (only topic and words fitted).
"""

from __future__ import annotations

import argparse
import contextlib
import io
from statistics import mean

from bench.relevance import calibrate
from bench.relevance.calibrate import Readers, is_feedback
from digest.matching import calibration

FOLDS = calibrate.FRESH_SETS
COLUMNS = {"base": calibrate.BASE_COLUMNS, "all": calibrate.ALL_COLUMNS}


def typed(query) -> bool:
    return not is_feedback(query)


def merged(cache, *readers: Readers) -> Readers:
    out = Readers(cache)
    for r in readers:
        out.items += r.items
    return out


def pooled(results: list) -> dict[str, float]:
    judged = [m for q, m in results if any(g >= 1 for g in q.grades.values())]
    return {
        "n": len(results),
        "ndcg10": mean(m.ndcg10 for m in judged),
        "ndcg20": mean(m.ndcg20 for m in judged),
        "precision": mean(m.precision for _, m in results),
        "recall": mean(m.recall for m in judged),
    }


def line(label: str, figures: dict) -> str:
    return f"{label:<32}" + "  ".join(f"{k} {v:.3f}" for k, v in figures.items() if k != "n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", choices=sorted(COLUMNS), default="all")
    parser.add_argument("--paper-only", action="store_true")
    parser.add_argument("--judged", action="store_true", help="direction on graded papers (G)")
    parser.add_argument("--typed-only", action="store_true", help="committed marked papers")
    args = parser.parse_args()
    dataset, cache = calibrate.load_own(lexical=False)
    holdout = calibrate.load_set(calibrate.HOLDOUT, cache)
    mlt = calibrate.load_set(calibrate.MLT_SET, cache)
    train = Readers(cache, (dataset, calibrate.TRAIN))
    marking = Readers(cache, (mlt, is_feedback), (holdout, is_feedback))
    floor_readers = Readers(cache, (dataset, calibrate.DEV), (holdout, typed))
    sets = {n: calibrate.load_set(calibrate.HERE / n, cache) for n in FOLDS}
    parts = {
        n: (Readers(cache, (d, typed)), Readers(cache, (d, is_feedback))) for n, d in sets.items()
    }
    scores: dict[tuple[str, int], list] = {}
    for held in FOLDS:
        others = [n for n in FOLDS if n != held]
        with contextlib.redirect_stdout(io.StringIO()):
            weights = calibrate.fitted(
                merged(cache, train, *(parts[n][0] for n in others)),
                merged(cache, marking, *(parts[n][1] for n in others)),
                COLUMNS[args.columns],
                judged=args.judged,
            )
            floor = calibrate.choose_floor(floor_readers, weights)
        if args.paper_only:
            weights, floor = {**calibration.HYBRID, "paper": weights["paper"]}, calibration.FLOOR
        if args.typed_only:
            weights = {**weights, "paper": calibration.HYBRID["paper"]}
        print(f"{held}: fitted {weights}, floor {floor}")
        committed = (calibration.HYBRID, calibration.FLOOR)
        for name, (w, f) in (("committed", committed), ("fitted", (weights, floor))):
            for group, readers in enumerate(parts[held]):
                if readers.items:
                    results = readers.metrics(w, f)
                    scores.setdefault((name, group), []).extend(results)
                    print(line(f"  {name} {'marking' if group else 'typed'}", pooled(results)))
    for (name, group), results in sorted(scores.items()):
        figures = pooled(results)
        print(line(f"POOLED {name} {'marking' if group else 'typed'} ({figures['n']})", figures))


if __name__ == "__main__":
    main()
