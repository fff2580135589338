"""Admin for readers and topics, built to stay fast with a million readers.

Readers are searched by exact address or address prefix on LOWER(email) (indexed), never with
a full-table `icontains`; the list never counts the whole table (EstimatedCountPaginator); the
topic filter is a semi-join, so it cannot duplicate rows or need DISTINCT.
Subscriptions never imports digest: pages that need papers (preview, test digest, "why no
email?") are reached by URL name, and the Paper model is looked up by its label.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from config.paginator import EstimatedCountPaginator
from subscriptions import operator
from subscriptions.admin_seeds import READER_INLINES
from subscriptions.forms import WEEKDAYS
from subscriptions.models import Feedback, Subscriber, Topic
from subscriptions.stats import active_readers_per_topic

TOPIC_PAPER_WINDOW_DAYS = 30


def reader_search(queryset: QuerySet[Subscriber], term: str) -> QuerySet[Subscriber]:
    """An address with "@" matches exactly; anything else is an address prefix. Both use the
    LOWER(email) indexes (unique, and text_pattern_ops on PostgreSQL)."""
    term = term.strip().lower()
    if not term:
        return queryset
    queryset = queryset.alias(email_lower=Lower("email"))
    if "@" in term and not term.startswith("@"):
        return queryset.filter(email_lower=term)
    return queryset.filter(email_lower__startswith=term)


class TopicFilter(admin.SimpleListFilter):
    title = "topic"
    parameter_name = "topic"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(str(pk), name) for pk, name in Topic.objects.values_list("pk", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        chosen = Subscriber.topics.through.objects.filter(topic_id=self.value())
        return queryset.filter(pk__in=chosen.values("subscriber_id"))


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "status",
        "frequency",
        "send_hour",
        "timezone",
        "created_at",
        "confirmed_at",
        "why_link",
    ]
    list_filter = ["status", "frequency", TopicFilter]
    search_fields = ["email"]  # replaced by reader_search (see get_search_results)
    search_help_text = "An exact address (name@example.org) or the start of one (name@, nam)."
    ordering = ["-pk"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    filter_horizontal = ["topics"]
    inlines = READER_INLINES  # library seeds and followed authors (issue #15)
    readonly_fields = [
        "feed_key",
        "soft_bounces",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "updated_at",
        "links",
    ]
    fieldsets = [
        (None, {"fields": ["email", "status", "suppression_reason", "links"]}),
        (
            "Preferences",
            {
                "fields": [
                    "frequency",
                    "weekday",
                    "send_hour",
                    "timezone",
                    "topics",
                    "interests",
                    "exclusions",
                    "max_papers",
                    "paused_until",
                    "pending_email",
                ]
            },
        ),
        (
            "History",
            {
                "fields": [
                    "created_at",
                    "confirmation_sent_at",
                    "confirmed_at",
                    "unsubscribed_at",
                    "suppressed_at",
                    "soft_bounces",
                    "updated_at",
                    "feed_key",
                ]
            },
        ),
    ]
    actions = [
        "confirm",
        "suppress",
        "unsuppress",
        "send_test_digest",
        "preview_next_digest",
    ]

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        """The weekday as a name ("Friday"), not the stored number."""
        if db_field.name == "weekday":
            return forms.TypedChoiceField(
                choices=WEEKDAYS, coerce=int, label="Weekday", help_text="Weekly digests only."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return reader_search(queryset, search_term), False

    @admin.display(description="Why no email?")
    def why_link(self, reader: Subscriber) -> str:
        url = reverse("ops:reader") + "?" + urlencode({"email": reader.email})
        return format_html('<a href="{}">explain</a>', url)

    @admin.display(description="Links")
    def links(self, reader: Subscriber) -> str:
        if not reader.pk:
            return "-"
        explain = reverse("ops:reader") + "?" + urlencode({"email": reader.email})
        deliveries = (
            reverse("admin:digest_delivery_changelist")
            + "?"
            + urlencode({"subscriber__id__exact": reader.pk})
        )
        return format_html(
            '<a href="{}">Why no email? (timeline)</a> · <a href="{}">Preview next digest</a>'
            ' · <a href="{}">Send a test digest</a> · <a href="{}">Deliveries</a>',
            explain,
            reverse("ops:preview", args=[reader.pk]),
            reverse("ops:send-test", args=[reader.pk]),
            deliveries,
        )

    @admin.action(description="Confirm selected pending readers")
    def confirm(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        count = operator.confirm_readers(readers=queryset)
        self.message_user(request, f"Confirmed {count} reader(s).", messages.SUCCESS)

    @admin.action(description="Suppress selected readers (stop all mail)")
    def suppress(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        reason = f"by operator {request.user.get_username()}"
        count = operator.suppress_readers(readers=queryset, reason=reason)
        self.message_user(request, f"Suppressed {count} reader(s).", messages.SUCCESS)

    @admin.action(description="Lift suppression of selected readers")
    def unsuppress(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        count = operator.unsuppress_readers(readers=queryset)
        self.message_user(request, f"Unsuppressed {count} reader(s).", messages.SUCCESS)

    @admin.action(description="Send a test digest (one reader)")
    def send_test_digest(
        self, request: HttpRequest, queryset: QuerySet[Subscriber]
    ) -> HttpResponseRedirect | None:
        return self._one_reader_page(request, queryset, "ops:send-test")

    @admin.action(description="Preview next digest (one reader)")
    def preview_next_digest(
        self, request: HttpRequest, queryset: QuerySet[Subscriber]
    ) -> HttpResponseRedirect | None:
        return self._one_reader_page(request, queryset, "ops:preview")

    def _one_reader_page(
        self, request: HttpRequest, queryset: QuerySet[Subscriber], url_name: str
    ) -> HttpResponseRedirect | None:
        ids = list(queryset.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            self.message_user(request, "Select exactly one reader.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse(url_name, args=[ids[0]]))


def recent_paper_categories() -> list[frozenset[str]]:
    """The category sets of papers first seen in the window (one query, bounded by the window)."""
    paper_model = apps.get_model("digest", "Paper")
    since = timezone.now() - dt.timedelta(days=TOPIC_PAPER_WINDOW_DAYS)
    rows = paper_model.objects.filter(first_seen_at__gte=since).values_list("categories", flat=True)
    return [frozenset(categories or ()) for categories in rows]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "active",
        "position",
        "keyword_list",
        "category_list",
        "active_readers",
        "recent_papers",
    ]
    list_editable = ["active", "position"]
    list_filter = ["active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        papers = recent_paper_categories()
        readers = active_readers_per_topic()
        for topic in changelist.result_list:
            topic.active_reader_count = readers.get(
                topic.pk, 0
            )  # evaluated once here; the template reuses it
            wanted = set(topic.categories or ())
            topic.recent_paper_count = sum(1 for categories in papers if categories & wanted)
        return changelist

    @admin.display(description="Keywords")
    def keyword_list(self, topic: Topic) -> str:
        return ", ".join(topic.keywords or ())[:120]

    @admin.display(description="Categories")
    def category_list(self, topic: Topic) -> str:
        return ", ".join(topic.categories or ())

    @admin.display(description="Active readers (cached 5 min)")
    def active_readers(self, topic: Topic) -> str:
        url = (
            reverse("admin:subscriptions_subscriber_changelist")
            + "?"
            + urlencode({"topic": topic.pk, "status__exact": Subscriber.Status.ACTIVE})
        )
        return format_html('<a href="{}">{}</a>', url, topic.active_reader_count)

    @admin.display(description=f"Papers, {TOPIC_PAPER_WINDOW_DAYS} days (by category)")
    def recent_papers(self, topic: Topic) -> int:
        return getattr(topic, "recent_paper_count", 0)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "paper", "value", "origin", "created_at"]
    list_filter = ["value", "origin"]
    list_select_related = ["subscriber", "paper"]
    raw_id_fields = ["subscriber", "paper"]
    ordering = ["-pk"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
