"""Number formatting for the operations pages: 1,234 and 0.12%, with a class for the rate."""

from __future__ import annotations

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
