"""The readers the constants are chosen on, and the held-out set they are never chosen on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.relevance import beir, derived, evaluate, fresh_build
from bench.relevance.evaluate import ranked_lists
from digest.matching import calibration
from digest.matching.engine import Matcher

RELEVANCE = Path(__file__).resolve().parents[2] / "bench" / "relevance"


@pytest.fixture(scope="module")
def own_set() -> beir.Dataset:
    return beir.load(RELEVANCE / "paperboy")


def test_derived_feedback_readers_come_only_from_their_own_split(own_set) -> None:
    readers = derived.feedback_readers(own_set, "train")
    sources = {q.id: q for q in own_set.queries}
    assert readers
    for reader in readers:
        source = sources[reader.id.split("~")[0]]
        assert source.split == "train" and reader.split == "train-derived"
        assert not reader.text and not reader.topics and not source.exclusions
        assert 1 <= len(reader.liked) <= 2
        assert all(source.grades[p] == 2 for p in reader.liked)  # marks are must-reads
        assert not set(reader.liked) & set(reader.grades)  # a marked paper is no answer
    assert {q.split for q in derived.feedback_readers(own_set, "test")} <= {"test-derived"}


def test_derived_readers_are_the_same_every_time(own_set) -> None:
    first = derived.feedback_readers(own_set, "dev")
    again = derived.feedback_readers(beir.load(RELEVANCE / "paperboy"), "dev")
    assert [(q.id, q.liked) for q in first] == [(q.id, q.liked) for q in again]


def test_the_evaluation_sets_never_mix_with_the_derived_readers() -> None:
    # evaluate_matching reports the graded readers only; derived ones exist for calibrate.py
    holdout = beir.load(RELEVANCE / "holdout")
    assert {q.split for q in holdout.queries} == {"holdout"}
    assert len(holdout.queries) == 34
    assert sum(1 for q in holdout.queries if q.liked and not q.text) == 12
    assert all(holdout.windows[p] == "h" for p in holdout.papers)


def test_marked_papers_have_a_calibration_of_their_own() -> None:
    paper, words = calibration.HYBRID["paper"], calibration.HYBRID["words"]
    assert paper != words
    assert all(w.standout > 0 and w.lexical > 0 for w in calibration.HYBRID.values())
    assert 0 < calibration.FLOOR < 1


def test_a_holdout_reader_is_ranked_by_every_system_without_vectors() -> None:
    holdout = beir.load(RELEVANCE / "holdout")
    query = next(q for q in holdout.queries if q.id == "h01")
    lists = ranked_lists(holdout, query, embed=None)
    assert set(lists) == {"ours", "tfidf", "bm25"}
    assert len(lists["tfidf"]) == 20 and len(set(lists["tfidf"])) == 20


def test_the_more_like_this_set_has_one_marked_paper_per_reader_split_before_scoring() -> None:
    mlt = beir.load(RELEVANCE / "mlt")
    assert len(mlt.queries) == 24
    assert sorted(q.split for q in mlt.queries) == ["dev"] * 12 + ["test"] * 12
    assert all(len(q.liked) == 1 and not q.text and not q.topics for q in mlt.queries)
    for query in mlt.queries:
        pool = json.loads((RELEVANCE / "mlt" / "pools" / f"{query.id}.json").read_text())
        assert {p["id"] for p in pool["papers"]} == set(query.grades)  # every pooled paper graded
        assert query.liked[0] not in query.grades


def test_papers_from_a_library_rank_exactly_like_more_like_this_votes() -> None:
    mlt = beir.load(RELEVANCE / "mlt")
    checked = 0
    for query in mlt.queries:
        refs = {i: mlt.papers[i] for i in query.liked}
        lists = {}
        for as_library in (False, True):
            matcher = Matcher(mlt.candidates(query), reference_papers=refs, embed=None)
            profile = evaluate.profile_of(query, as_library=as_library)
            [lists[as_library]] = matcher.match_profiles([profile], cap=20)
        if not lists[False]:
            continue  # on words alone some marked papers share no word with this week
        checked += 1
        assert [m.paper_id for m in lists[True]] == [m.paper_id for m in lists[False]]
        assert all("from your library" in m.why for m in lists[True])  # the seeds reached it
        assert not any("from your library" in m.why for m in lists[False])
        assert ranked_lists(mlt, query, embed=None, as_library=True) == ranked_lists(
            mlt, query, embed=None
        )
        if checked == 3:
            break
    assert checked == 3


@pytest.mark.parametrize(
    ("name", "free", "marked"),
    [
        ("fresh", 24, 18),
        ("fresh2", 24, 0),
        ("fresh3", 24, 12),
        ("fresh4", 24, 12),
        ("fresh5", 0, 16),
        ("fresh6", 24, 12),
    ],
)
def test_the_fresh_sets_are_whole_and_graded_over_their_pools(name, free, marked) -> None:
    # Read once, after the constants were fixed (docs/relevance.md, "Session 6" to "Session 8");
    # fresh6 by nobody yet. Only their shape is checked here.
    dataset = beir.load(RELEVANCE / name)
    assert {q.split for q in dataset.queries} == {name}
    assert sum(1 for q in dataset.queries if q.text or q.topics) == free
    assert sum(1 for q in dataset.queries if q.liked and not q.text) == marked
    assert {q.window for q in dataset.queries} <= set(fresh_build.SETS[name].windows)
    for query in dataset.queries:
        pool = json.loads((RELEVANCE / name / "pools" / f"{query.id}.json").read_text())
        assert {p["id"] for p in pool["papers"]} == set(query.grades)  # every pooled paper graded
        assert not set(query.liked) & set(query.grades)
        assert all(dataset.windows[p] == query.window for p in query.grades)
