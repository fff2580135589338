"""Papers: title, trending score and why, sightings per source, signal history, readers sent to."""

from __future__ import annotations

from django.contrib import admin

from config.paginator import EstimatedCountPaginator
from digest.admin.common import ReadOnlyInline, changelist_link
from digest.models import Paper, PaperSighting, SentPaper, SignalSnapshot


class SightingInline(ReadOnlyInline):
    model = PaperSighting
    fields = ["source", "first_seen_at", "last_seen_at"]
    readonly_fields = fields


class SnapshotInline(ReadOnlyInline):
    model = SignalSnapshot
    fields = ["taken_at", "upvotes", "github_stars", "num_comments"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "Signal history (one snapshot per ingest)"


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = [
        "short_title",
        "arxiv_id",
        "primary_category",
        "trending_score",
        "why_trending",
        "upvotes",
        "github_stars",
        "trending_date",
        "first_seen_at",
    ]
    list_filter = ["trending_date", "primary_category"]
    search_fields = ["=canonical_id", "=arxiv_id", "=doi", "title", "title_display"]
    search_help_text = "Exact canonical id, arXiv id or DOI, or words of the title."
    ordering = ["-trending_score", "-pk"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = [SightingInline, SnapshotInline]
    readonly_fields = [
        "canonical_id",
        "trending_score",
        "why_trending",
        "score_updated_at",
        "signal_history",
        "sent_to_readers",
        "first_seen_at",
        "updated_at",
    ]

    @admin.display(description="Title", ordering="title")
    def short_title(self, paper: Paper) -> str:
        title = paper.display_title
        return title if len(title) <= 90 else title[:89] + "…"

    @admin.display(description="Upvotes over time")
    def signal_history(self, paper: Paper) -> str:
        """The first and latest snapshot in words; the inline table below lists every one."""
        snapshots = paper.snapshots.order_by("taken_at", "pk")
        first, last = snapshots.first(), snapshots.last()
        if first is None:
            return "no snapshots yet"
        return (
            f"{first.upvotes or 0} → {last.upvotes or 0} upvotes over {snapshots.count()} "
            f"snapshot(s), {first.taken_at:%Y-%m-%d} to {last.taken_at:%Y-%m-%d}"
        )

    @admin.display(description="Sent to")
    def sent_to_readers(self, paper: Paper) -> str:
        count = SentPaper.objects.filter(paper=paper).count()
        return changelist_link("sentpaper", f"{count} reader(s)", paper__id__exact=paper.pk)
