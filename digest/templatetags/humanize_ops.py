"""Number formatting for the operations pages: 1,234 and 0.12%, with a class for the rate."""

from __future__ import annotations

import calendar

from django import template

from digest.ops.dashboard import RATE_LIMIT, RATE_WARN

register = template.Library()


@register.filter
def num(value: int | None) -> str:
    return f"{value:,}" if isinstance(value, int) else "-"


@register.filter
def pct(value: float) -> str:
    return f"{value * 100:.2f}%"


@register.filter
def rate_class(value: float) -> str:
    if value >= RATE_LIMIT:
        return "ops-bad"
    return "ops-warn" if value >= RATE_WARN else ""


@register.filter
def weekday_name(value: int) -> str:
    """0 -> Monday, as Subscriber.weekday counts (Python's date.weekday())."""
    return calendar.day_name[value] if isinstance(value, int) and 0 <= value <= 6 else "-"
