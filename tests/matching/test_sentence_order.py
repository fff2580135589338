"""The order counts each paper's closest sentence to the reader's words (engine.SENTENCE_BETA)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from digest.matching import engine
from digest.matching.engine import Matcher
from digest.matching.facets import positive_facets
from digest.matching.profiles import ReaderProfile

READER = ReaderProfile(interests="speech recognition, protein design, robot manipulation")


def keys_by_hand(matcher: Matcher, encoder, references, beta: float) -> np.ndarray:
    """logit(relevance) + log(1 + 0.3 trend) + beta x the closest sentence, from scratch."""
    relevance = matcher.relevance([READER])[0].astype(np.float64)
    facets = encoder.encode([f.text for f in positive_facets(READER, references)])
    closest = np.array([(facets @ np.asarray(p.sentence_vectors).T).max() for p in matcher.papers])
    logit = np.log(relevance) - np.log1p(-np.minimum(relevance, 1 - 1e-7))
    return logit + matcher.log_trend + beta * closest


def test_the_list_follows_the_closest_sentence_term(papers, references, encoder, monkeypatch):
    beta = engine.SENTENCE_BETA or 16.0  # the term is tested even while it is switched off
    monkeypatch.setattr(engine, "SENTENCE_BETA", beta)
    matcher = Matcher(papers, reference_papers=references, embed=encoder.encode)
    listed = [m.paper_id for m in matcher.match_profiles([READER], cap=len(papers))[0]]
    keys = keys_by_hand(matcher, encoder, references, beta)
    position = {p.id: i for i, p in enumerate(matcher.papers)}
    in_order = [keys[position[i]] for i in listed]
    assert len(listed) >= 5
    assert all(a >= b - 1e-3 for a, b in itertools.pairwise(in_order))

    monkeypatch.setattr(engine, "SENTENCE_BETA", 0.0)
    plain = Matcher(papers, reference_papers=references, embed=encoder.encode)
    without = [m.paper_id for m in plain.match_profiles([READER], cap=len(papers))[0]]
    assert sorted(without) == sorted(listed)  # the same papers: the term only orders them
    assert without != listed


@pytest.mark.parametrize("words", ["robot manipulation", ""])
def test_readers_with_marks_are_ordered_as_before(papers, references, encoder, monkeypatch, words):
    """A mark alone, or beside words (the papers a mark brings in are not pushed below the
    words' ones): the same list with and without the term."""
    reader = ReaderProfile(interests=words, liked=(next(iter(references)),))
    lists = []
    for beta in (0.0, 16.0):
        monkeypatch.setattr(engine, "SENTENCE_BETA", beta)
        matcher = Matcher(papers, reference_papers=references, embed=encoder.encode)
        lists.append([m.paper_id for m in matcher.match_profiles([reader], cap=40)[0]])
    assert lists[0] == lists[1] and len(lists[0]) > (10 if words else 0)


def test_without_sentence_vectors_the_term_is_off(papers, references, encoder, monkeypatch):
    monkeypatch.setattr(engine, "SENTENCE_BETA", 16.0)
    bare = [replace(p, sentence_vectors=None) for p in papers]
    matcher = Matcher(bare, reference_papers=references, embed=encoder.encode)
    assert matcher.sentences is None
    monkeypatch.setattr(engine, "SENTENCE_BETA", 0.0)
    plain = Matcher(papers, reference_papers=references, embed=encoder.encode)
    assert [m.paper_id for m in matcher.match_profiles([READER])[0]] == [
        m.paper_id for m in plain.match_profiles([READER])[0]
    ]
