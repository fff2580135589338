from dataclasses import replace

from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile, TopicDoc

ROBOT = "Robot manipulation with diffusion policies"


def paper(paper_id: str, title: str, abstract: str = "", trending: float = 0.0) -> PaperDoc:
    return PaperDoc(id=paper_id, title=title, abstract=abstract, trending_score=trending)


def edition(papers: list[PaperDoc], extra: list[PaperDoc]) -> list[PaperDoc]:
    """Small test papers inside the seed edition, so idf statistics stay realistic."""
    return [*papers, *extra]


def test_with_equal_trending_the_more_relevant_paper_comes_first(papers: list[PaperDoc]) -> None:
    strong = paper(
        "strong",
        "Diffusion policies for robot manipulation",
        "Diffusion policies for robot manipulation.",
        5,
    )
    weak = paper("weak", "A study of robot grasping", "We use diffusion policies for a robot.", 5)
    matches = Matcher(edition(papers, [weak, strong])).match_profiles(
        [ReaderProfile(interests="diffusion policies for robot manipulation")]
    )[0]
    listed = [m.paper_id for m in matches]
    assert listed.index("strong") < listed.index("weak")
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_trending_reorders_relevant_papers_but_never_adds_irrelevant_ones(
    papers: list[PaperDoc],
) -> None:
    profile = ReaderProfile(interests="recommender systems")
    quiet = Matcher(papers).match_profiles([profile])[0]
    first, second = (m.paper_id for m in quiet[:2])
    assert {first, second} == {"2305.04832", "2302.01680"}
    boosted = [
        replace(p, trending_score=1000.0) if p.id in (second, "2305.18290") else p for p in papers
    ]
    loud = Matcher(boosted).match_profiles([profile])[0]
    position = [m.paper_id for m in loud].index(second)
    assert position <= 1 and loud[position].score > quiet[1].score  # trending only lifts
    assert {m.paper_id for m in loud} == {m.paper_id for m in quiet}  # DPO stays out
    assert {m.relevance for m in loud} == {m.relevance for m in quiet}


def test_on_words_alone_a_paper_sharing_no_word_with_the_topic_is_never_included(
    papers: list[PaperDoc],
) -> None:
    """A bias above the floor once let every paper into every topic without semantic matching."""
    topic = TopicDoc(
        slug="speech", name="Speech recognition", description="Automatic speech recognition."
    )
    unrelated = paper("unrelated", "Knot invariants of torus links", "We compute knot invariants.")
    matches = Matcher(edition(papers, [unrelated])).match_profiles(
        [ReaderProfile(topics=(topic,))], cap=100
    )[0]
    assert "unrelated" not in {m.paper_id for m in matches}
    assert len(matches) < len(papers) / 2
