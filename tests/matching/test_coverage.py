"""How much of what the reader typed a paper contains: the coverage part of relevance."""

from dataclasses import replace

import pytest

from digest.matching import calibration
from digest.matching.engine import Matcher
from digest.matching.lexical import LexicalIndex
from digest.matching.profiles import PaperDoc, ReaderProfile

PAPERS = [
    PaperDoc(
        id="ph",
        title="Persistent homology of point clouds",
        abstract="We compute barcodes of filtrations for topological data analysis.",
    ),
    PaperDoc(
        id="h",
        title="Homology of sutured manifolds",
        abstract="We compute the Floer homology of balanced sutured three-manifolds.",
    ),
    PaperDoc(
        id="x",
        title="Adam with warm restarts",
        abstract="An optimizer schedule for training deep networks.",
    ),
]


def test_coverage_is_the_weighted_share_of_the_readers_words_in_each_paper() -> None:
    index = LexicalIndex(PAPERS)
    [row] = index.coverage(["persistent homology"])
    assert row[0] == pytest.approx(1.0)
    assert 0.0 < row[1] < 1.0  # "homology" only
    assert row[2] == 0.0


def test_a_word_no_paper_has_is_never_covered() -> None:
    index = LexicalIndex(PAPERS)
    [row] = index.coverage(["Zeckendorf homology"])
    assert row.max() < 0.5  # the unknown word weighs as the rarest word of the edition
    assert index.coverage([""]).shape == (1, 3) and not index.coverage([""]).any()


def test_the_paper_with_all_the_readers_words_comes_first(encoder) -> None:
    vectors = encoder.encode([f"{p.title}. {p.abstract}" for p in PAPERS])
    papers = [replace(p, vector=v) for p, v in zip(PAPERS, vectors, strict=True)]
    matcher = Matcher(papers, embed=encoder.encode)
    profile = ReaderProfile(interests="persistent homology")
    [relevance] = matcher.relevance([profile])
    assert relevance[0] > relevance[1] > relevance[2]
    # the coverage term is part of each kind's log-odds, except for marked papers
    [facet] = matcher._plan([profile]).positive[0]
    parts = matcher.facet_parts([facet]).row(0)
    words = calibration.HYBRID["words"]
    lead = words.logit(parts) - replace(words, coverage=0.0).logit(parts)
    assert lead[0] == pytest.approx(words.coverage, rel=1e-4) and lead[0] > lead[1] > lead[2]
    assert calibration.HYBRID["paper"].coverage == 0.0
