"""The relative part of relevance: similarities min-max scaled over the edition's papers,
weighted for marked papers ("more like this") only."""

from dataclasses import replace

import numpy as np
import pytest

from digest.matching import calibration
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile

PAPERS = [
    PaperDoc(
        id="a",
        title="Graph neural networks for molecule property prediction",
        abstract="Message passing networks predict quantum chemistry properties of molecules.",
    ),
    PaperDoc(
        id="b",
        title="Equivariant message passing for molecular dynamics",
        abstract="An E(3)-equivariant graph network learns interatomic potentials.",
    ),
    PaperDoc(
        id="c",
        title="Optimal auctions with correlated bidders",
        abstract="We characterise revenue-maximising mechanisms under correlated values.",
    ),
    PaperDoc(
        id="d",
        title="Sharp bounds for the Kakeya maximal function",
        abstract="We prove new estimates in harmonic analysis for maximal operators.",
    ),
]


def test_each_row_is_scaled_to_zero_one_and_a_flat_row_is_zero() -> None:
    semantic = np.array([[0.2, 0.6, 0.4], [0.5, 0.5, 0.5]], dtype=np.float32)
    lexical = np.array([[0.0, 0.0, 0.3], [0.0, 0.0, 0.0]], dtype=np.float32)
    relative_semantic = calibration.relative(semantic)
    relative_lexical = calibration.relative(lexical)
    assert relative_semantic[0].tolist() == pytest.approx([0.0, 1.0, 0.5])
    assert relative_lexical[0].tolist() == pytest.approx([0.0, 0.0, 1.0])
    assert not relative_semantic[1].any() and not relative_lexical[1].any()
    assert calibration.relative(semantic[0]).tolist() == pytest.approx([0.0, 1.0, 0.5])  # a row


def test_only_marked_papers_weigh_the_relative_features() -> None:
    for kind in ("topic", "words"):
        weights = calibration.HYBRID[kind]
        assert weights.relative_semantic == weights.relative_lexical == 0.0
    paper = calibration.HYBRID["paper"]
    assert paper.relative_lexical != 0.0 and paper.relative_semantic != 0.0


def test_a_marked_paper_brings_its_nearest_neighbour_first(encoder) -> None:
    vectors = encoder.encode([f"{p.title}. {p.abstract}" for p in PAPERS])
    marked, *papers = [replace(p, vector=v) for p, v in zip(PAPERS, vectors, strict=True)]
    # as in a real edition, the marked paper came in an earlier one: it is not a candidate
    matcher = Matcher(papers, reference_papers={marked.id: marked}, embed=encoder.encode)
    profile = ReaderProfile(liked=(marked.id,))
    [relevance] = matcher.relevance([profile])
    assert relevance[0] > max(relevance[1], relevance[2])
    # the relative terms are part of the marked papers' log-odds: the nearest paper gets them all
    [facet] = matcher._plan([profile]).positive[0]
    parts = matcher.facet_parts([facet]).row(0)
    weights = calibration.HYBRID["paper"]
    without = replace(weights, relative_semantic=0.0, relative_lexical=0.0)
    lead = weights.logit(parts) - without.logit(parts)
    relative_semantic = calibration.relative(parts.semantic)
    relative_lexical = calibration.relative(parts.lexical)
    expected = weights.relative_semantic * relative_semantic
    expected += weights.relative_lexical * relative_lexical
    assert lead == pytest.approx(expected, abs=1e-4)
    assert relative_semantic[0] == pytest.approx(1.0)
    assert relative_lexical[0] == pytest.approx(1.0)
    assert min(relative_semantic) == pytest.approx(0.0)
