from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile


def ids(matcher: Matcher, profile: ReaderProfile, cap: int = 83) -> list[str]:
    return [m.paper_id for m in matcher.match_profiles([profile], cap=cap)[0]]


def test_an_excluded_phrase_in_the_title_removes_the_paper(matcher: Matcher) -> None:
    plain = ReaderProfile(interests="diffusion policies for robot manipulation")
    excluding = ReaderProfile(interests=plain.interests, exclusions="streaming")
    assert "2406.04806" in ids(matcher, plain)
    assert "2406.04806" not in ids(matcher, excluding)


def test_an_excluded_phrase_in_the_abstract_removes_the_paper(matcher: Matcher) -> None:
    # OpenVLA mentions Diffusion Policy only in its abstract.
    plain = ReaderProfile(interests="vision-language-action models")
    excluding = ReaderProfile(interests=plain.interests, exclusions="diffusion policies")
    assert "2406.09246" in ids(matcher, plain)
    assert "2406.09246" not in ids(matcher, excluding)


def test_exclusions_match_stemmed_phrases_and_synonyms(
    matcher: Matcher, papers: list[PaperDoc]
) -> None:
    profile = ReaderProfile(interests="reinforcement learning", exclusions="large language models")
    for paper_id in ids(matcher, profile):
        paper = next(p for p in papers if p.id == paper_id)
        text = f"{paper.title} {paper.abstract}".lower()
        assert "large language model" not in text and "llm" not in text


def test_a_list_of_exclusions_separated_by_commas_or_lines_applies_each(matcher: Matcher) -> None:
    base = ids(matcher, ReaderProfile(interests="robot manipulation"))
    excluded = ids(
        matcher,
        ReaderProfile(
            interests="robot manipulation",
            exclusions="benchmark\nvision-language-action, inverse dynamics",
        ),
    )
    assert "2412.13877" in base and "2412.13877" not in excluded  # RoboMIND: Benchmark
    assert "2412.15109" in base and "2412.15109" not in excluded  # Predictive Inverse Dynamics
