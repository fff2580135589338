"""Explanations are short and true: they name only what decided the match."""

from bench.relevance.beir import Dataset
from bench.relevance.evaluate import profile_of
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile, TopicDoc
from digest.matching.text import stem, terms


def test_every_match_has_at_most_two_reasons_and_named_words_really_occur(
    matcher: Matcher, papers: list[PaperDoc], seed_set: Dataset
) -> None:
    by_id = {p.id: p for p in papers}
    profiles = [profile_of(q) for q in seed_set.queries]
    forms = (
        "mentions your words: ",
        "close in meaning to your interest '",
        "in your topic ",
        "like '",
        "contains “",
    )
    for matches in matcher.match_profiles(profiles, cap=20):
        for match in matches:
            assert 1 <= len(match.reasons) <= 2, match
            for reason in match.reasons:
                assert reason.startswith(forms), reason
                if reason.startswith("mentions your words: "):
                    paper = by_id[match.paper_id]
                    stems = set(terms(f"{paper.title} {paper.abstract}"))
                    for word in reason.removeprefix("mentions your words: ").split(", "):
                        assert stem(word) in stems, (reason, match.paper_id)


def test_topic_matches_name_the_topic(matcher: Matcher, topics: dict[str, TopicDoc]) -> None:
    matches = matcher.match_profiles([ReaderProfile(topics=(topics["robot-learning"],))])[0]
    assert matches and all(m.reasons == ["in your topic Robot learning"] for m in matches)


def test_only_topics_that_match_are_named(matcher: Matcher, topics: dict[str, TopicDoc]) -> None:
    profile = ReaderProfile(topics=(topics["robot-learning"], topics["recommender-systems"]))
    for match in matcher.match_profiles([profile], cap=20)[0]:
        if match.paper_id in ("2302.01680", "2305.04832"):
            assert match.reasons[0] == "in your topic Recommender systems"


def test_feedback_matches_name_the_marked_paper(matcher: Matcher) -> None:
    matches = matcher.match_profiles([ReaderProfile(liked=("2305.18290",))])[0]
    assert matches
    assert all(
        "like 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model', "
        "which you marked"
        in m.reasons
        or m.reasons[0].startswith("like 'Direct Preference")
        for m in matches
    )


def test_reasons_quote_the_reader_not_the_paper(matcher: Matcher) -> None:
    """Close in meaning names the interest as typed; nothing from the paper is repeated."""
    [matches] = matcher.match_profiles([ReaderProfile(interests="teaching robots by showing")])
    assert matches
    assert any(
        r == "close in meaning to your interest 'teaching robots by showing'"
        for m in matches
        for r in m.reasons
    )


def test_several_marks_are_named_once_with_a_count(matcher: Matcher) -> None:
    [matches] = matcher.match_profiles([ReaderProfile(liked=("2305.18290", "2402.01878"))])
    assert matches
    title = "Direct Preference Optimization: Your Language Model is Secr…"  # cut at 60
    assert all(m.reasons[0] == f"like '{title}' and 1 more you marked" for m in matches)
