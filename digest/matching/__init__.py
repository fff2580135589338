"""Matching readers to papers: the one entry point editions, previews and the archive call.

The engine (engine.py) blends semantic similarity (sentence embeddings, encoder.py) with tf-idf
(lexical.py) per facet of a reader's interests (facets.py), calibrated into a probability
(calibration.py); see its docstring for the formula and the inclusion floor.
"""

from __future__ import annotations

from collections.abc import Mapping

from digest.matching.engine import Embed, Matcher
from digest.matching.profiles import Match, PaperDoc, ReaderProfile, TopicDoc

__all__ = ["Match", "Matcher", "PaperDoc", "ReaderProfile", "TopicDoc", "match_profiles"]


def match_profiles(
    papers: list[PaperDoc],
    profiles: list[ReaderProfile],
    reference_papers: Mapping[str, PaperDoc],
    cap: int,
    embed: Embed | None = None,
) -> list[list[Match]]:
    """For each profile (same order), its matches best first, at most `cap`."""
    if not papers or not profiles:
        return [[] for _ in profiles]
    matcher = Matcher(papers, reference_papers=reference_papers, embed=embed)
    return matcher.match_profiles(profiles, cap=cap)
