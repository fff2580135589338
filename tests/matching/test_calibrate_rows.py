"""calibrate.py's training rows: with `judged`, exactly the graded candidates' rows."""

from __future__ import annotations

from bench.relevance import beir
from bench.relevance.calibrate import Readers, training_rows
from digest.matching.encoder import Encoder


def test_judged_rows_are_the_graded_papers_rows_of_every_candidate(
    seed_set: beir.Dataset, encoder: Encoder
) -> None:
    # Readers of own words only: every row is of kind "words", reader by reader, in paper order.
    readers = Readers(
        encoder.encode, (seed_set, lambda q: bool(q.text) and not q.topics and not q.liked)
    )
    every = training_rows(readers, lexical=False)
    judged = training_rows(readers, lexical=False, judged=True)
    assert set(every) == set(judged) == {"words"}
    graded = [p.id in q.grades for q, matcher, _ in readers.items for p in matcher.papers]
    features, labels = every["words"]
    kept = [(f, y) for f, y, g in zip(features, labels, graded, strict=True) if g]
    assert judged["words"] == ([f for f, _ in kept], [y for _, y in kept])
    assert 0 < len(kept) < len(features)
    assert any(judged["words"][1]) and not all(judged["words"][1])
