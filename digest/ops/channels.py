"""Channel posts per edition for /ops/, beside the email ledger's counts: one GROUP BY over
the (edition, status) index of the last editions shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from digest.models import ChannelPost


@dataclass
class ChannelCounts:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0  # pending, or on its way

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.skipped + self.waiting


def channel_counts(edition_ids: list[int]) -> dict[int, ChannelCounts]:
    counts = {pk: ChannelCounts() for pk in edition_ids}
    rows = (
        ChannelPost.objects.filter(edition_id__in=edition_ids)
        .order_by()
        .values_list("edition_id", "status")
        .annotate(n=Count("pk"))
    )
    for edition_id, status, n in rows:
        row = counts[edition_id]
        name = status if status in ("sent", "failed", "skipped") else "waiting"
        setattr(row, name, getattr(row, name) + n)
    return counts
