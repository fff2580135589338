"""Admin for sources (add, enable, pause, run now) and the ingest runs they leave behind."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from digest.models import IngestRun, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "enabled", "url", "last_run_at", "last_success_at")
    list_filter = ("kind", "enabled")
    list_editable = ("enabled",)
    search_fields = ("name", "url")
    readonly_fields = ("etag", "last_modified", "last_run_at", "last_success_at", "created_at")
    actions = ("run_now", "enable", "pause")

    @admin.action(description="Run now (enqueue an ingest of each selected source)")
    def run_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        from digest.tasks.ingest import ingest_source

        ids = list(queryset.filter(enabled=True).values_list("pk", flat=True))
        for source_id in ids:
            transaction.on_commit(lambda source_id=source_id: ingest_source.delay(source_id))
        skipped = queryset.count() - len(ids)
        self.message_user(request, f"Enqueued {len(ids)} ingest(s); see Ingest runs for results.")
        if skipped:
            self.message_user(
                request, f"{skipped} paused source(s) not run: enable them first.", messages.WARNING
            )

    @admin.action(description="Enable selected sources")
    def enable(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        self.message_user(request, f"Enabled {queryset.update(enabled=True)} source(s).")

    @admin.action(description="Pause selected sources")
    def pause(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        self.message_user(request, f"Paused {queryset.update(enabled=False)} source(s).")


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = (
        "label",
        "status",
        "started_at",
        "finished_at",
        "fetched",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "failed",
        "short_error",
    )
    list_filter = ("status", "source")
    search_fields = ("label", "error")
    date_hierarchy = "started_at"
    list_select_related = ("source",)

    @admin.display(description="error")
    def short_error(self, run: IngestRun) -> str:
        return run.error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IngestRun | None = None) -> bool:
        return False
