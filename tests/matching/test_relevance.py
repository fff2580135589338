from digest.matching.engine import THRESHOLD, Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile, TopicDoc


def ids(matcher: Matcher, profile: ReaderProfile) -> list[str]:
    return [m.paper_id for m in matcher.match_profiles([profile])[0]]


def test_the_threshold_leaves_out_irrelevant_papers_even_below_the_cap(matcher: Matcher) -> None:
    # Only two papers of the seed edition are about recommender systems.
    assert sorted(ids(matcher, ReaderProfile(interests="recommender systems"))) == [
        "2302.01680",
        "2305.04832",
    ]


def test_an_interest_nothing_matches_gets_an_empty_digest(
    matcher: Matcher, topics: dict[str, TopicDoc]
) -> None:
    assert ids(matcher, ReaderProfile(interests="protein structure prediction")) == []
    assert ids(matcher, ReaderProfile(topics=(topics["speech-audio"],))) == []


def test_every_included_paper_clears_the_threshold(matcher: Matcher) -> None:
    matches = matcher.match_profiles([ReaderProfile(interests="offline RL")])[0]
    assert matches and all(m.relevance >= THRESHOLD for m in matches)


def test_own_words_alone_give_a_good_list(matcher: Matcher, labels: dict) -> None:
    grades = next(i for i in labels["interests"] if i["name"] == "preference optimization for LLMs")
    delivered = ids(matcher, ReaderProfile(interests="preference optimization for LLMs"))
    assert len(delivered) == 10
    assert all(grades["grades"].get(p, 0) >= 1 for p in delivered)


def test_a_topic_alone_gives_a_good_list(
    matcher: Matcher, topics: dict[str, TopicDoc], labels: dict
) -> None:
    grades = next(i for i in labels["interests"] if i["name"] == "topic: Robot learning")["grades"]
    delivered = ids(matcher, ReaderProfile(topics=(topics["robot-learning"],)))
    assert len(delivered) == 10
    assert sum(grades.get(p, 0) == 2 for p in delivered) >= 9


def test_a_reader_with_several_interests_gets_papers_for_each(
    matcher: Matcher, topics: dict[str, TopicDoc]
) -> None:
    profile = ReaderProfile(topics=(topics["code-generation"],), interests="recommender systems")
    delivered = set(ids(matcher, profile))
    assert {"2302.01680", "2310.03173"} <= delivered


def test_a_quoted_phrase_must_occur(matcher: Matcher, papers: list[PaperDoc]) -> None:
    for paper_id in ids(matcher, ReaderProfile(interests='"human feedback" for language models')):
        paper = next(p for p in papers if p.id == paper_id)
        assert "human feedback" in f"{paper.title} {paper.abstract}".lower()
