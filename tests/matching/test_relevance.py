"""What a reader notices about relevance, on one real Daily Papers day with the real model."""

from dataclasses import replace

import pytest

from bench.relevance.beir import Dataset
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile, TopicDoc


def ids(matcher: Matcher, profile: ReaderProfile, cap: int = 10) -> list[str]:
    return [m.paper_id for m in matcher.match_profiles([profile], cap=cap)[0]]


def grades_of(seed_set: Dataset, name: str) -> dict[str, int]:
    return next(q.grades for q in seed_set.queries if q.text == name or q.id == name)


def test_the_floor_leaves_out_irrelevant_papers_even_below_the_cap(matcher: Matcher) -> None:
    # Two papers of the seed day are about recommender systems; nothing else should be sent.
    delivered = ids(matcher, ReaderProfile(interests="recommender systems"))
    assert {"2302.01680", "2305.04832"} <= set(delivered)
    assert len(delivered) <= 4


def test_an_interest_nothing_matches_gets_an_empty_digest(
    matcher: Matcher, topics: dict[str, TopicDoc]
) -> None:
    assert ids(matcher, ReaderProfile(interests="medieval manuscripts and palaeography")) == []


def test_every_included_paper_clears_the_floor(matcher: Matcher) -> None:
    matches = matcher.match_profiles([ReaderProfile(interests="offline RL")])[0]
    assert matches and all(m.relevance >= matcher.floor for m in matches)


def test_own_words_alone_give_a_good_list(matcher: Matcher, seed_set: Dataset) -> None:
    grades = grades_of(seed_set, "preference optimization for LLMs")
    delivered = ids(matcher, ReaderProfile(interests="preference optimization for LLMs"))
    assert len(delivered) >= 5
    assert sum(grades.get(p, 0) >= 1 for p in delivered) >= 0.8 * len(delivered)


def test_a_topic_alone_gives_a_good_list(matcher: Matcher, topics: dict[str, TopicDoc]) -> None:
    delivered = ids(matcher, ReaderProfile(topics=(topics["robot-learning"],)))
    assert len(delivered) == 10


def test_meaning_bridges_a_vocabulary_gap(encoder) -> None:
    """The reader says "speech recognition"; the paper only says ASR and transcription."""
    texts = [
        ("asr", "Streaming ASR with low latency", "We transcribe spoken audio on device."),
        ("bio", "Protein binder generation", "De novo design of binders for a target."),
        ("opt", "Adam with warm restarts", "An optimizer schedule for deep networks."),
    ]
    papers = [PaperDoc(id=i, title=t, abstract=a) for i, t, a in texts]
    vectors = encoder.encode([f"{p.title}. {p.abstract}" for p in papers])
    papers = [replace(p, vector=v) for p, v in zip(papers, vectors, strict=True)]
    hybrid = Matcher(papers, embed=encoder.encode)
    lexical = Matcher(papers)
    profile = ReaderProfile(interests="speech recognition")
    [meaning] = hybrid.relevance([profile])
    [words] = lexical.relevance([profile])
    assert meaning.argmax() == 0 and meaning[0] > 2 * meaning[1:].max()
    assert words.max() == words.min()  # no shared word: words alone cannot tell them apart
    [facet] = hybrid._plan([profile]).positive[0]
    reason = hybrid.reasons.reason(facet, 0)
    assert reason == "close in meaning to your interest 'speech recognition'"


def test_without_vectors_matching_is_lexical(papers: list[PaperDoc], encoder) -> None:
    bare = [replace(p, vector=None) for p in papers]
    matcher = Matcher(bare, embed=encoder.encode)
    assert matcher.embed is None
    assert "2302.01680" in ids(matcher, ReaderProfile(interests="recommender systems"))


def test_a_reader_with_several_interests_gets_papers_for_each(
    matcher: Matcher, topics: dict[str, TopicDoc]
) -> None:
    profile = ReaderProfile(topics=(topics["code-generation"],), interests="recommender systems")
    delivered = set(ids(matcher, profile, cap=20))
    assert "2302.01680" in delivered
    assert delivered - {"2302.01680", "2305.04832"}


@pytest.mark.parametrize("interests", ['"human feedback"', '"human feedback", offline RL'])
def test_a_quoted_phrase_must_occur(matcher: Matcher, papers: list[PaperDoc], interests) -> None:
    by_id = {p.id: p for p in papers}
    delivered = ids(matcher, ReaderProfile(interests=interests), cap=20)
    quoted_only = interests == '"human feedback"'
    assert delivered
    for paper_id in delivered:
        text = f"{by_id[paper_id].title} {by_id[paper_id].abstract}".lower()
        if quoted_only:
            assert "human feedback" in text
