"""Reasons for papers matched through seeds from the reader's library (issue #15)."""

from digest.matching.engine import Matcher
from digest.matching.profiles import ReaderProfile

DPO = "2305.18290"
DIFFUSION_POLICY = "2303.04137"  # known only as a reference paper


def reasons(matcher: Matcher, profile: ReaderProfile) -> list[str]:
    return [m.why for m in matcher.match_profiles([profile])[0]]


def test_a_seed_from_the_library_is_named_as_such(matcher: Matcher) -> None:
    found = reasons(matcher, ReaderProfile(liked=(DPO,), library=(DPO,)))
    assert found
    assert all("', from your library" in why for why in found)
    assert all("Direct Preference Optimization" in why for why in found)


def test_several_seeds_are_counted_and_a_mix_with_marks_says_so(matcher: Matcher) -> None:
    both = (DIFFUSION_POLICY, DPO)
    seeded = reasons(matcher, ReaderProfile(liked=both, library=both))
    mixed = reasons(matcher, ReaderProfile(liked=both, library=(DPO,)))
    assert seeded and all("and 1 more from your library" in why for why in seeded)
    assert mixed and all("and 1 more you marked or imported" in why for why in mixed)


def test_seeds_score_exactly_as_marks_do(matcher: Matcher) -> None:
    marked = matcher.match_profiles([ReaderProfile(liked=(DPO,))])[0]
    seeded = matcher.match_profiles([ReaderProfile(liked=(DPO,), library=(DPO,))])[0]
    assert [(m.paper_id, m.relevance) for m in marked] == [
        (m.paper_id, m.relevance) for m in seeded
    ]
