import re

import pytest

from digest.matching.engine import Matcher
from digest.matching.evaluation import profile_of
from digest.matching.profiles import PaperDoc, ReaderProfile, TopicDoc

QUOTE = re.compile(r"^'(?P<text>.+)' in the (?P<field>title|abstract)$")


def test_every_quoted_phrase_really_occurs_where_the_reason_says(
    matcher: Matcher, papers: list[PaperDoc], labels: dict
) -> None:
    by_id = {p.id: p for p in papers}
    profiles = [profile_of(i) for i in labels["interests"]]
    quoted = 0
    for matches in matcher.match_profiles(profiles, cap=20):
        for match in matches:
            assert match.reasons, match
            for reason in match.reasons:
                found = QUOTE.match(reason)
                if found:
                    quoted += 1
                    paper = by_id[match.paper_id]
                    field = paper.title if found["field"] == "title" else paper.abstract
                    assert found["text"].lower() in field.lower(), (reason, match.paper_id)
    assert quoted > 50


def test_topic_matches_name_the_topic(matcher: Matcher, topics: dict[str, TopicDoc]) -> None:
    matches = matcher.match_profiles([ReaderProfile(topics=(topics["robot-learning"],))])[0]
    assert all(m.reasons[0] == "matches your topic Robot learning" for m in matches)


def test_only_topics_that_match_are_named(matcher: Matcher, topics: dict[str, TopicDoc]) -> None:
    profile = ReaderProfile(topics=(topics["robot-learning"], topics["recommender-systems"]))
    for match in matcher.match_profiles([profile])[0]:
        if match.paper_id in ("2302.01680", "2305.04832"):
            assert "matches your topic Recommender systems" in match.reasons
        else:
            assert "matches your topic Recommender systems" not in match.reasons


def test_feedback_matches_name_the_marked_paper(matcher: Matcher) -> None:
    matches = matcher.match_profiles([ReaderProfile(liked=("2305.18290",))])[0]
    assert matches
    assert all(
        "like 'Direct Preference Optimization', which you marked" in m.reasons for m in matches
    )


@pytest.mark.parametrize(
    ("interests", "paper_id", "quote"),
    [
        ("diffusion policies", "2406.04806", "'Diffusion Policy' in the title"),
        ("LLM", "2501.09766", "'Large Language Models' in the title"),
    ],
)
def test_quotes_come_from_the_paper_not_from_the_reader(
    matcher: Matcher, interests: str, paper_id: str, quote: str
) -> None:
    matches = matcher.match_profiles([ReaderProfile(interests=interests)], cap=83)[0]
    assert quote in next(m for m in matches if m.paper_id == paper_id).reasons
