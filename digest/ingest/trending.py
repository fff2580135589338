"""The trending score: a number we compute from stored signals, and a sentence that explains it.

    score = (1 + community + breadth) x 0.5 ** (age_hours / 48)

    community = 1.0 x ln(1 + upvotes)
              + 1.5 x ln(1 + upvotes gained in the last 24 h)
              + 0.75 x ln(1 + upvotes gained in the last 7 days)
              + 0.5 x ln(1 + GitHub stars)
              + 0.5 x ln(1 + stars gained in the last 7 days)
              + 0.5 x ln(1 + comments)
    breadth   = 0.5 x (number of sources that saw the paper - 1)
              + 0.1 x min(number of arXiv categories, 5)

- Logarithms, so 500 upvotes beat 50 without burying everything else; velocity weighs more than
  the total, so a paper climbing today beats one that peaked last week.
- Gains come from SignalSnapshot rows: the value now minus the latest snapshot taken at or before
  24 h (7 days) ago. With no snapshot that old, the gain counts from zero only if the paper entered
  Daily Papers inside the window (its upvotes were all earned there); otherwise it is unknown and
  contributes nothing.
- Age is measured from the Daily Papers date when there is one, else the publication time, else
  when we first saw the paper; the score halves every 48 hours.
- The constant 1 keeps papers from sources with no community signal (arXiv listings, feeds) in the
  ranking: among them the newest and the most cross-listed come first, and any paper with upvotes
  or stars of the same age ranks above them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

HALF_LIFE_HOURS = 48.0
MAX_CATEGORIES = 5


@dataclass(frozen=True)
class TrendingInputs:
    """Everything the score looks at, as plain values."""

    age: dt.timedelta
    upvotes: int | None = None
    github_stars: int | None = None
    num_comments: int | None = None
    upvotes_day_ago: int | None = None  # None = unknown
    upvotes_week_ago: int | None = None
    stars_week_ago: int | None = None
    sources: int = 1
    categories: int = 0


def _ln1p(value: int | None) -> float:
    return math.log1p(max(value or 0, 0))


def _gain(now: int | None, then: int | None) -> int:
    if now is None or then is None:
        return 0
    return max(now - then, 0)


def trending_score(inputs: TrendingInputs) -> float:
    """The score of the module docstring, to 6 significant digits (stable to compare and store)."""
    upvotes_day = _gain(inputs.upvotes, inputs.upvotes_day_ago)
    upvotes_week = _gain(inputs.upvotes, inputs.upvotes_week_ago)
    stars_week = _gain(inputs.github_stars, inputs.stars_week_ago)
    community = (
        1.0 * _ln1p(inputs.upvotes)
        + 1.5 * _ln1p(upvotes_day)
        + 0.75 * _ln1p(upvotes_week)
        + 0.5 * _ln1p(inputs.github_stars)
        + 0.5 * _ln1p(stars_week)
        + 0.5 * _ln1p(inputs.num_comments)
    )
    breadth = 0.5 * max(inputs.sources - 1, 0) + 0.1 * min(inputs.categories, MAX_CATEGORIES)
    age_hours = max(inputs.age.total_seconds() / 3600.0, 0.0)
    decay = 0.5 ** (age_hours / HALF_LIFE_HOURS)
    return float(f"{(1.0 + community + breadth) * decay:.6g}")


def compact_number(value: int) -> str:
    """1234 -> "1.2k", 15400 -> "15k", 2_500_000 -> "2.5M"."""
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return str(value)


def _plural(count: int, word: str) -> str:
    return f"{compact_number(count)} {word}{'' if count == 1 else 's'}"


def why_trending(inputs: TrendingInputs) -> str:
    """A short reason a reader can check: "+48 upvotes today, 1.2k stars, seen in 3 sources"."""
    parts: list[str] = []
    upvotes_day = _gain(inputs.upvotes, inputs.upvotes_day_ago)
    upvotes_week = _gain(inputs.upvotes, inputs.upvotes_week_ago)
    if upvotes_day:
        parts.append(f"+{_plural(upvotes_day, 'upvote')} today")
    elif upvotes_week:
        parts.append(f"+{_plural(upvotes_week, 'upvote')} this week")
    elif inputs.upvotes:
        parts.append(_plural(inputs.upvotes, "upvote"))
    if inputs.github_stars:
        parts.append(_plural(inputs.github_stars, "star"))
    if inputs.num_comments:
        parts.append(_plural(inputs.num_comments, "comment"))
    if inputs.sources > 1:
        parts.append(f"seen in {inputs.sources} sources")
    if not parts:
        days = inputs.age.days
        parts.append("new today" if days < 1 else "new this week" if days < 7 else "recent")
        if inputs.categories > 1:
            parts.append(f"in {inputs.categories} categories")
    return ", ".join(parts)
