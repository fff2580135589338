"""Admin for papers, sources, ingest runs, editions, the delivery ledger and ESP events.

The big tables (deliveries, sent papers, events) list newest first by primary key (an index
scan), never count the whole table (EstimatedCountPaginator), and fetch related rows with
`list_select_related`, so a page is a handful of queries whatever the table size.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.paginator import EstimatedCountPaginator
from digest import tasks
from digest.models import (
    Delivery,
    Edition,
    EmailEvent,
    IngestRun,
    Paper,
    PaperSighting,
    SentPaper,
    SignalSnapshot,
    Source,
)
from digest.ops.charts import sparkline
from digest.ops.dashboard import edition_ledger_counts


def changelist_link(model: str, label: object, **filters: object) -> str:
    url = reverse(f"admin:digest_{model}_changelist") + "?" + urlencode(filters)
    return format_html('<a href="{}">{}</a>', url, label)


def is_changelist(request: HttpRequest) -> bool:
    match = request.resolver_match
    return bool(match and match.url_name and match.url_name.endswith("_changelist"))


class RecordAdmin(admin.ModelAdmin):
    """Rows written by the system (runs, events): viewable and deletable, not editable."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Papers -------------------------------------------------------------------------------------


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
        points = list(paper.snapshots.order_by("taken_at").values_list("taken_at", "upvotes")[:200])
        values = [upvotes or 0 for _, upvotes in points]
        if not values:
            return "no snapshots yet"
        first, last = points[0][0], points[-1][0]
        return format_html(
            "{} <span>{} → {} upvotes, {:%Y-%m-%d} to {:%Y-%m-%d}</span>",
            sparkline(values, width=240, height=40),
            values[0],
            values[-1],
            first,
            last,
        )

    @admin.display(description="Sent to")
    def sent_to_readers(self, paper: Paper) -> str:
        count = SentPaper.objects.filter(paper=paper).count()
        return changelist_link("sentpaper", f"{count} reader(s)", paper__id__exact=paper.pk)


# Sources and runs ---------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "enabled",
        "last_run_at",
        "last_success_at",
        "last_status",
        "runs_link",
    ]
    list_filter = ["enabled", "kind"]
    search_fields = ["name", "url"]
    readonly_fields = ["etag", "last_modified", "last_run_at", "last_success_at", "created_at"]
    actions = ["enable", "pause", "run_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        queryset = super().get_queryset(request)
        if is_changelist(request):
            latest = IngestRun.objects.filter(source=OuterRef("pk")).order_by("-started_at")
            queryset = queryset.annotate(
                latest_status=Subquery(latest.values("status")[:1]),
                latest_error=Subquery(latest.values("error")[:1]),
            )
        return queryset

    @admin.display(description="Last run")
    def last_status(self, source: Source) -> str:
        status = getattr(source, "latest_status", None)
        if status is None:
            return "never run"
        error = getattr(source, "latest_error", "") or ""
        return f"{status}: {error[:80]}" if error else status

    @admin.display(description="Runs")
    def runs_link(self, source: Source) -> str:
        return changelist_link("ingestrun", "runs", source__id__exact=source.pk)

    @admin.action(description="Enable selected sources")
    def enable(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        count = queryset.filter(enabled=False).update(enabled=True)
        self.message_user(request, f"Enabled {count} source(s).", messages.SUCCESS)

    @admin.action(description="Pause selected sources")
    def pause(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        count = queryset.filter(enabled=True).update(enabled=False)
        self.message_user(request, f"Paused {count} source(s).", messages.SUCCESS)

    @admin.action(description="Run now (queue an ingest)")
    def run_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        count = tasks.enqueue_ingest(
            source_ids=list(queryset.values_list("pk", flat=True)),
            requested_by=request.user.get_username(),
        )
        self.message_user(
            request,
            f"Queued {count} ingest run(s); they appear under Ingest runs when a worker starts "
            "them.",
            messages.SUCCESS,
        )


@admin.register(IngestRun)
class IngestRunAdmin(RecordAdmin):
    list_display = [
        "label",
        "source",
        "status",
        "started_at",
        "duration",
        "fetched",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "failed",
        "short_error",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["source"]
    search_fields = ["label"]
    ordering = ["-started_at"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="Duration")
    def duration(self, run: IngestRun) -> str:
        if not run.finished_at:
            return "running" if run.status == IngestRun.Status.RUNNING else "-"
        return f"{(run.finished_at - run.started_at).total_seconds():.1f} s"

    @admin.display(description="Error")
    def short_error(self, run: IngestRun) -> str:
        return run.error[:120]


# Editions, deliveries, events ---------------------------------------------------------------


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "frequency",
        "created_at",
        "candidate_count",
        "deliveries_link",
        "sent",
        "skipped",
        "failed",
        "waiting",
    ]
    list_filter = ["frequency"]
    list_per_page = 30
    date_hierarchy = "date"
    readonly_fields = ["created_at", "candidates"]
    exclude = ["paper_ids"]

    def get_changelist_instance(self, request: HttpRequest):
        """Counts for the editions on this page only, from the shared (cached) ledger counts."""
        changelist = super().get_changelist_instance(request)
        editions = list(changelist.result_list)
        counts = edition_ledger_counts(editions, today=timezone.localdate())
        for edition in editions:
            by_status: dict[str, int] = {}
            for status, _reason, n, _opened, _clicked in counts.get(edition.pk, ()):
                by_status[status] = by_status.get(status, 0) + n
            edition.total = sum(by_status.values())
            edition.sent_count = by_status.get(Delivery.Status.SENT, 0)
            edition.skipped_count = by_status.get(Delivery.Status.SKIPPED, 0)
            edition.failed_count = by_status.get(Delivery.Status.FAILED, 0)
            edition.waiting_count = sum(
                by_status.get(status, 0)
                for status in (
                    Delivery.Status.PENDING,
                    Delivery.Status.SENDING,
                    Delivery.Status.HANDED_OVER,
                )
            )
        return changelist

    @admin.display(description="Candidates")
    def candidate_count(self, edition: Edition) -> int:
        return len(edition.paper_ids or ())

    @admin.display(description="Candidate papers")
    def candidates(self, edition: Edition) -> str:
        return ", ".join(edition.paper_ids or ()) or "-"

    @admin.display(description="Deliveries")
    def deliveries_link(self, edition: Edition) -> str:
        return changelist_link("delivery", edition.total, edition__id__exact=edition.pk)

    def _status_link(self, edition: Edition, status: str, count: int) -> str:
        return changelist_link(
            "delivery", count, edition__id__exact=edition.pk, status__exact=status
        )

    @admin.display(description="Sent")
    def sent(self, edition: Edition) -> str:
        return self._status_link(edition, Delivery.Status.SENT, edition.sent_count)

    @admin.display(description="Skipped")
    def skipped(self, edition: Edition) -> str:
        return self._status_link(edition, Delivery.Status.SKIPPED, edition.skipped_count)

    @admin.display(description="Failed")
    def failed(self, edition: Edition) -> str:
        return self._status_link(edition, Delivery.Status.FAILED, edition.failed_count)

    @admin.display(description="Pending/sending")
    def waiting(self, edition: Edition) -> int:
        return edition.waiting_count


class EventInline(ReadOnlyInline):
    model = EmailEvent
    fields = ["timestamp", "event_type", "esp_name", "recipient", "description"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "edition",
        "reader",
        "status",
        "reason",
        "attempts",
        "sent_at",
        "message_id",
        "opens",
        "clicks",
    ]
    list_filter = ["status", "edition"]
    list_select_related = ["edition", "subscriber"]
    search_fields = ["message_id"]
    search_help_text = "A reader's exact address, or an ESP message id."
    raw_id_fields = ["subscriber", "edition"]
    ordering = ["-pk"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = [EventInline]
    readonly_fields = [
        "created_at",
        "claimed_at",
        "sent_at",
        "message_id",
        "opens",
        "clicks",
        "paper_list",
    ]
    exclude = ["papers"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term and not term.startswith("<"):
            return (
                queryset.alias(reader_email=Lower("subscriber__email")).filter(
                    reader_email=term.lower()
                ),
                False,
            )
        return queryset.filter(message_id=term), False

    @admin.display(description="Reader", ordering="subscriber__email")
    def reader(self, delivery: Delivery) -> str:
        return delivery.subscriber.email

    @admin.display(description="Papers (id, score, why)")
    def paper_list(self, delivery: Delivery) -> str:
        if not delivery.papers:
            return "-"
        rows = [
            (item.get("id", ""), item.get("score", ""), item.get("why", ""))
            for item in delivery.papers
        ]
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{} ({}): {}</li>", rows))


@admin.register(SentPaper)
class SentPaperAdmin(RecordAdmin):
    list_display = ["paper", "subscriber", "delivery"]
    list_select_related = ["paper", "subscriber", "delivery__edition"]
    raw_id_fields = ["paper", "subscriber", "delivery"]
    ordering = ["-pk"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(EmailEvent)
class EmailEventAdmin(RecordAdmin):
    list_display = [
        "timestamp",
        "event_type",
        "esp_name",
        "recipient",
        "delivery_link",
        "description",
        "processed_at",
    ]
    list_filter = ["event_type", "esp_name"]
    list_select_related = ["delivery"]
    search_fields = ["=message_id", "=recipient"]
    search_help_text = "An ESP message id or a recipient's exact address."
    ordering = ["-pk"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="Delivery")
    def delivery_link(self, event: EmailEvent) -> str:
        if event.delivery_id is None:
            return "-"
        url = reverse("admin:digest_delivery_change", args=[event.delivery_id])
        return format_html('<a href="{}">#{}</a>', url, event.delivery_id)
