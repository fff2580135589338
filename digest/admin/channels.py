"""The channel ledger (ChannelPost rows), read-only: what was posted where, and why not."""

from __future__ import annotations

from django.contrib import admin

from config.paginator import EstimatedCountPaginator
from digest.admin.common import RecordAdmin
from digest.models import ChannelPost


@admin.register(ChannelPost)
class ChannelPostAdmin(RecordAdmin):
    list_display = ["edition", "reader", "kind", "url", "status", "attempts", "sent_at", "reason"]
    list_filter = ["status", "channel__kind", "edition__frequency"]
    list_select_related = ["edition", "channel", "channel__subscriber"]
    search_fields = ["channel__subscriber__email__iexact"]
    search_help_text = "A reader's exact address."
    ordering = ["-pk"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = [
        "edition",
        "channel",
        "delivery",
        "status",
        "reason",
        "attempts",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields

    @admin.display(description="reader")
    def reader(self, post: ChannelPost) -> str:
        return post.channel.subscriber.email

    @admin.display(description="kind")
    def kind(self, post: ChannelPost) -> str:
        return post.channel.get_kind_display()

    @admin.display(description="webhook (masked)")
    def url(self, post: ChannelPost) -> str:
        return post.channel.url_masked
