import pytest

from digest.matching import calibration
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile

DPO = "2305.18290"
LIPO = "2402.01878"
ROBUST_DPO = "2403.00409"


def relevance_of(matcher: Matcher, profile: ReaderProfile, paper_id: str) -> float:
    return float(matcher.relevance([profile])[0][matcher.position[paper_id]])


def rank_of(matcher: Matcher, profile: ReaderProfile, paper_id: str) -> int:
    listed = [m.paper_id for m in matcher.match_profiles([profile], cap=83)[0]]
    return listed.index(paper_id) if paper_id in listed else len(listed)


def test_liking_a_paper_brings_in_similar_papers(matcher: Matcher) -> None:
    """Interests are alternatives: a mark adds its direction beside the reader's words."""
    plain = ReaderProfile(interests="robot manipulation")
    liking = ReaderProfile(interests="robot manipulation", liked=(DPO,))
    assert relevance_of(matcher, liking, LIPO) > relevance_of(matcher, plain, LIPO)
    assert rank_of(matcher, liking, LIPO) < rank_of(matcher, plain, LIPO)


def test_disliking_a_paper_moves_similar_papers_down(matcher: Matcher) -> None:
    secrets_of_rlhf, meta_world = "2307.04964", "1910.10897"
    plain = ReaderProfile(interests="reinforcement learning")
    disliking = ReaderProfile(interests="reinforcement learning", disliked=(DPO,))
    assert relevance_of(matcher, disliking, secrets_of_rlhf) < relevance_of(
        matcher, plain, secrets_of_rlhf
    )
    # Classic RL, unlike DPO, keeps its place or rises as RLHF papers fall away.
    assert rank_of(matcher, disliking, meta_world) <= rank_of(matcher, plain, meta_world)


def test_feedback_alone_gives_a_digest_of_similar_papers(matcher: Matcher) -> None:
    matches = matcher.match_profiles([ReaderProfile(liked=(DPO,))])[0]
    assert {LIPO, ROBUST_DPO} <= {m.paper_id for m in matches}
    assert all("Direct Preference Optimization" in m.why for m in matches)


def test_a_marked_paper_outside_the_edition_still_counts(matcher: Matcher) -> None:
    # 2303.04137 (Diffusion Policy) is only known from reference_papers.
    matches = matcher.match_profiles([ReaderProfile(liked=("2303.04137",))])[0]
    assert "2406.04806" in [m.paper_id for m in matches]  # Streaming Diffusion Policy


def test_papers_the_reader_already_marked_are_not_sent_again(matcher: Matcher) -> None:
    profile = ReaderProfile(interests="direct preference optimization", liked=(DPO,))
    assert DPO not in [m.paper_id for m in matcher.match_profiles([profile])[0]]


def test_unknown_marked_ids_are_ignored(papers: list[PaperDoc]) -> None:
    matcher = Matcher(papers)
    assert matcher.match_profiles([ReaderProfile(liked=("nowhere",))]) == [[]]


@pytest.mark.parametrize("kind", ["liked", "disliked"])
def test_feedback_on_the_same_paper_is_deterministic(matcher: Matcher, kind: str) -> None:
    profile = ReaderProfile(interests="RLHF", **{kind: (DPO,)})
    first, second = matcher.match_profiles([profile, profile])
    assert [(m.paper_id, m.score) for m in first] == [(m.paper_id, m.score) for m in second]


def test_a_reader_who_only_marked_papers_is_cut_at_the_marked_papers_floor(
    matcher: Matcher,
) -> None:
    only = ReaderProfile(liked=(DPO,))
    typed = ReaderProfile(interests="robot manipulation", liked=(DPO,))
    listed_only, listed_typed = matcher.match_profiles([only, typed], cap=83)
    assert calibration.PAPER_FLOOR < calibration.FLOOR
    assert min(m.relevance for m in listed_only) >= calibration.PAPER_FLOOR
    assert any(m.relevance < calibration.FLOOR for m in listed_only)  # in by the lower floor
    assert min(m.relevance for m in listed_typed) >= calibration.FLOOR  # typed: the usual one
    [relevance] = matcher.relevance([only])
    assert len(listed_only) <= int((relevance >= calibration.PAPER_FLOOR).sum())
