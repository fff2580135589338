"""Recompute digest/matching/calibration.py from the graded set (prints the values to paste).

    .venv/bin/python -m bench.relevance.calibrate [--lexical]

1. Weights: for every query of the *train* split and every candidate paper, the reader's best
   facet of each kind (highest standout) gives one row (standout, semantic, lexical; see
   calibration.py); the label
   is "grade >= 1" (unjudged papers are 0, as in pooling). One logistic regression per kind.
2. Floor: with those weights, the real matcher runs on the *dev* split for floors 0.05 ... 0.95.
   Must-reads first: among the floors with the best mean must-have recall (to two decimals), the
   highest, which delivers the fewest papers that are not wanted.
The test split is never read here.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from statistics import mean

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.relevance import beir, evaluate
from digest.matching import calibration
from digest.matching.encoder import load_encoder
from digest.matching.engine import Matcher

HERE = Path(__file__).resolve().parent
OWN_SET = HERE / "paperboy"
FLOORS = [round(0.05 * i, 2) for i in range(1, 20)]


def load_own(*, lexical: bool) -> tuple[beir.Dataset, beir.VectorCache | None]:
    dataset = beir.load(OWN_SET)
    if lexical:
        return dataset, None
    encoder = load_encoder()
    cache = beir.VectorCache(
        HERE.parents[1] / "var" / "relevance-vectors" / f"{encoder.name}.npz", encoder
    )
    return beir.with_vectors(dataset, cache), cache


def training_rows(dataset: beir.Dataset, embed, *, lexical: bool) -> dict:
    rows: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for query in dataset.queries:
        if query.split != "train":
            continue
        candidates = dataset.candidates(query)
        refs = {i: dataset.papers[i] for i in (*query.liked, *query.disliked)}
        matcher = Matcher(candidates, reference_papers=refs, embed=embed)
        plan = matcher._plan([evaluate.profile_of(query)])
        facets = plan.positive[0]
        if not facets:
            continue
        parts = matcher.facet_parts(facets)
        if lexical:
            parts.semantic[:] = 0
            parts.semantic_z[:] = 0
        kinds = [
            "words" if matcher.facets[f].kind == "quoted" else matcher.facets[f].kind
            for f in facets
        ]
        labels = np.array([query.grades.get(p.id, 0) >= 1 for p in candidates])
        standout = parts.semantic_z + parts.lexical  # picks each kind's best facet
        columns = np.arange(len(candidates))
        for kind in set(kinds):
            idx = [i for i, k in enumerate(kinds) if k == kind]
            best = np.argmax(standout[idx], axis=0)
            features, y = rows[kind]
            features += np.column_stack(
                [
                    standout[idx][best, columns],
                    parts.semantic[idx][best, columns],
                    parts.lexical[idx][best, columns],
                ]
            ).tolist()
            y += labels.tolist()
    return rows


def fit(rows, *, lexical: bool) -> dict[str, calibration.Weights]:
    weights = {}
    for kind, (features, labels) in sorted(rows.items()):
        if kind == "paper":
            continue
        x = np.array(features)[:, [2]] if lexical else np.array(features)
        model = LogisticRegression(C=1.0, max_iter=1000).fit(x, labels)
        coef = [round(float(c), 3) for c in model.coef_[0]]
        if lexical:
            coef = [0.0, 0.0, coef[0]]
        weights[kind] = calibration.Weights(round(float(model.intercept_[0]), 3), *coef)
        print(f"{kind}: {len(labels)} rows, {sum(labels)} relevant -> {weights[kind]}")
    weights["paper"] = weights["words"]  # see calibration.py
    return weights


def choose_floor(dataset, embed, *, lexical: bool) -> float:
    best = (-1.0, 0.5)
    for floor in FLOORS:
        if lexical:
            calibration.LEXICAL_FLOOR = floor
        else:
            calibration.FLOOR = floor
        results = evaluate.run(dataset, embed=embed, splits={"dev"})
        p = mean(r.systems["ours"].precision for r in results)
        judged = [r for r in results if any(g >= 1 for g in r.query.grades.values())]
        rec = mean(r.systems["ours"].recall for r in judged)
        print(f"floor {floor:.2f}: precision {p:.3f} recall {rec:.3f}")
        best = max(best, (round(rec, 2), floor))
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lexical", action="store_true", help="the weights without embeddings")
    lexical = parser.parse_args().lexical
    dataset, cache = load_own(lexical=lexical)
    weights = fit(training_rows(dataset, cache, lexical=lexical), lexical=lexical)
    if lexical:
        calibration.LEXICAL = weights
    else:
        calibration.HYBRID = weights
    floor = choose_floor(dataset, cache, lexical=lexical)
    print("\n# paste into digest/matching/calibration.py")
    print(("LEXICAL" if lexical else "HYBRID") + " = {")
    for kind, w in weights.items():
        print(f'    "{kind}": {w},')
    print("}")
    print(f"{'LEXICAL_FLOOR' if lexical else 'FLOOR'} = {floor}")
    if cache:
        cache.save()


if __name__ == "__main__":
    main()
