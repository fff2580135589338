"""Properties of the scorer that must hold for any reader profile."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.matching import engine
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile

WORDS = [
    "diffusion", "policy", "robot", "manipulation", "preference", "optimization", "LLM",
    "reinforcement", "learning", "offline", "RL", "synthetic", "data", "agents", "tool", "use",
    "reward", "multi-agent", "imitation", "benchmark", "quantum", "protein", "RLHF", "code",
]  # fmt: skip
SEED_IDS = ["2305.18290", "2406.04806", "2412.02980", "2108.12988", "2402.01878"]

phrases = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
profiles = st.builds(
    ReaderProfile,
    interests=st.lists(phrases, max_size=3).map(", ".join),
    exclusions=st.lists(phrases, max_size=2).map(", ".join),
    liked=st.lists(st.sampled_from(SEED_IDS), max_size=2, unique=True).map(tuple),
    disliked=st.lists(st.sampled_from(SEED_IDS), max_size=1).map(tuple),
)
relaxed = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@relaxed
@given(profile=profiles)
def test_scores_are_finite_in_range_and_deterministic(
    matcher: Matcher, profile: ReaderProfile
) -> None:
    relevance = matcher.relevance([profile, profile])
    assert np.isfinite(relevance).all()
    assert (relevance >= 0).all() and (relevance <= 1).all()
    assert np.array_equal(relevance[0], relevance[1])
    first, second = matcher.match_profiles([profile]), matcher.match_profiles([profile])
    assert [(m.paper_id, m.score) for m in first[0]] == [(m.paper_id, m.score) for m in second[0]]
    assert all(m.relevance <= m.score <= m.relevance * 1.3 + 1e-6 for m in first[0])


@relaxed
@given(profile=profiles, extra=phrases)
def test_adding_an_exclusion_never_adds_papers(
    matcher: Matcher, profile: ReaderProfile, extra: str
) -> None:
    stricter = ReaderProfile(
        interests=profile.interests,
        exclusions=f"{profile.exclusions}, {extra}",
        liked=profile.liked,
        disliked=profile.disliked,
    )
    before, after = matcher.relevance([profile, stricter])
    assert (after <= before).all()
    floor = matcher.floor
    assert set(np.nonzero(after >= floor)[0]) <= set(np.nonzero(before >= floor)[0])


@relaxed
@given(profile=profiles, cap=st.integers(min_value=1, max_value=15))
def test_lists_are_the_best_papers_above_the_floor(
    matcher: Matcher, profile: ReaderProfile, cap: int
) -> None:
    """The chunked top-k path returns exactly what sorting every paper would."""
    logit, slots, _, nearest, where = matcher._chunk_relevance(matcher._plan([profile]), range(1))
    rows = nearest[where[slots[0][slots[0] >= 0]]]
    closest = rows.max(axis=0) if len(rows) and not profile.liked else np.zeros(len(logit[0]))
    closest = np.where(np.isfinite(closest), closest, 0.0)  # a reader without text facets
    key = logit[0] + matcher.log_trend + engine.SENTENCE_BETA * closest
    relevance = matcher.relevance([profile])[0]
    eligible = np.nonzero(relevance >= matcher.floor)[0]
    expected = eligible[np.lexsort((eligible, -key[eligible]))][:cap]
    got = [matcher.position[m.paper_id] for m in matcher.match_profiles([profile], cap=cap)[0]]
    assert got == expected.tolist()


@pytest.fixture(scope="module")
def small_edition() -> list[PaperDoc]:
    return [
        PaperDoc(id=str(i), title=f"{w} study", abstract=f"We study {w}.")
        for i, w in enumerate(WORDS)
    ]


def test_papers_without_abstracts_or_with_few_papers_still_score(
    small_edition: list[PaperDoc], encoder
) -> None:
    docs = [
        replace(p, vector=v)
        for p, v in zip(
            small_edition, encoder.encode([p.title for p in small_edition]), strict=True
        )
    ]
    for matcher in (Matcher(small_edition), Matcher(docs, embed=encoder.encode)):
        (matches,) = matcher.match_profiles([ReaderProfile(interests="robot")])
        assert [m.paper_id for m in matches][:1] == ["2"]


def test_scoring_per_chunk_gives_the_same_lists_as_the_score_table(
    papers: list[PaperDoc], references, seed_set, encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many distinct own words make the edition-wide score table too big; chunks then score the
    facets they use. Both ways must agree."""
    from bench.relevance.evaluate import profile_of
    from digest.matching import engine

    profiles = [profile_of(q) for q in seed_set.queries]
    with_table = Matcher(papers, reference_papers=references, embed=encoder.encode)
    expected = with_table.match_profiles(profiles)
    monkeypatch.setattr(engine, "SCORE_TABLE_CELLS", 0)
    monkeypatch.setattr(engine, "CHUNK_ROWS", 3)
    per_chunk = Matcher(papers, reference_papers=references, embed=encoder.encode)
    got = per_chunk.match_profiles(profiles)
    assert per_chunk._table is None
    assert [[(m.paper_id, m.reasons) for m in x] for x in got] == [
        [(m.paper_id, m.reasons) for m in x] for x in expected
    ]
