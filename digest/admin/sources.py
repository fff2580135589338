"""Sources (enable, pause, run now) and their ingest runs (records, not editable)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from config.paginator import EstimatedCountPaginator
from digest import tasks
from digest.admin.common import RecordAdmin, changelist_link, is_changelist
from digest.models import IngestRun, Source


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
