"""Editions, the delivery ledger, sent papers and ESP events.

The big tables list newest first by primary key (an index scan), never count the whole table
(EstimatedCountPaginator), and fetch related rows with `list_select_related`, so a page is a
handful of queries whatever the table size.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.paginator import EstimatedCountPaginator
from digest.admin.common import ReadOnlyInline, RecordAdmin, changelist_link
from digest.models import Delivery, Edition, EmailEvent, SentPaper
from digest.ops.dashboard import edition_ledger_counts


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
