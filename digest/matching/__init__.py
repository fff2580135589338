"""Matching readers to papers: the one entry point editions call.

`match_profiles` is backed by the FALLBACK keyword matcher in `simple.py` until the real engine
merges; swapping is one line:

    return Matcher(papers, reference_papers).match_profiles(profiles, cap=cap)
"""

from __future__ import annotations

from digest.matching import simple
from digest.matching.profiles import Match, PaperDoc, ReaderProfile, TopicDoc

__all__ = ["Match", "PaperDoc", "ReaderProfile", "TopicDoc", "match_profiles"]


def match_profiles(
    papers: list[PaperDoc],
    profiles: list[ReaderProfile],
    reference_papers: dict[str, PaperDoc],
    cap: int,
) -> list[list[Match]]:
    """For each profile (same order), its matches best first, at most `cap`."""
    return simple.match_profiles(papers, profiles, reference_papers, cap)
