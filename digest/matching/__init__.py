"""Matching readers to papers: the one entry point editions, previews and the archive call.

The engine (engine.py) scores every (profile, paper) pair with phrase-aware BM25F relevance,
topic keywords, feedback and exclusions; see its docstring for the formula and threshold.
"""

from __future__ import annotations

from collections.abc import Mapping

from digest.matching.engine import Matcher
from digest.matching.profiles import Match, PaperDoc, ReaderProfile, TopicDoc

__all__ = ["Match", "Matcher", "PaperDoc", "ReaderProfile", "TopicDoc", "match_profiles"]


def match_profiles(
    papers: list[PaperDoc],
    profiles: list[ReaderProfile],
    reference_papers: Mapping[str, PaperDoc],
    cap: int,
) -> list[list[Match]]:
    """For each profile (same order), its matches best first, at most `cap`."""
    if not papers or not profiles:
        return [[] for _ in profiles]
    matcher = Matcher(papers, reference_papers=reference_papers)
    return matcher.match_profiles(profiles, cap=cap)
