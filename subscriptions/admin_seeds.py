"""Admin: each reader's library seeds, entries still being looked up, followed authors and
delivery channels (inlines on the reader's page, see admin.SubscriberAdmin), read-only but
removable. A channel shows its masked URL only: the full one is a secret."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from subscriptions.models import Channel, Feedback, FollowedAuthor, LibraryEntry


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = True
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SeedInline(_ReadOnlyInline):
    model = Feedback
    verbose_name = "seed from the reader's library"
    verbose_name_plural = 'seeds from the reader\'s library ("more like this" marks)'
    fields = ["paper", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        rows = super().get_queryset(request).filter(origin=Feedback.Origin.LIBRARY)
        return rows.select_related("paper")


class LibraryEntryInline(_ReadOnlyInline):
    model = LibraryEntry
    verbose_name_plural = "library entries still being looked up, or not found"
    fields = ["status", "arxiv_id", "doi", "title", "created_at"]
    readonly_fields = fields


class FollowedAuthorInline(_ReadOnlyInline):
    model = FollowedAuthor
    verbose_name_plural = "followed authors"
    fields = ["name", "key", "created_at"]
    readonly_fields = fields


class ChannelInline(_ReadOnlyInline):
    model = Channel
    verbose_name_plural = "channels (Slack, Discord, Matrix webhooks)"
    fields = [
        "kind",
        "label",
        "url_masked",
        "status",
        "disabled_reason",
        "test_result",
        "created_at",
    ]
    readonly_fields = fields


READER_INLINES = [SeedInline, LibraryEntryInline, FollowedAuthorInline, ChannelInline]
