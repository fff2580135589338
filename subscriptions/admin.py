from django.contrib import admin

from subscriptions.models import Feedback, Subscriber, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "frequency", "timezone", "created_at", "confirmed_at"]
    list_filter = ["status", "frequency"]
    search_fields = ["email", "pending_email"]
    filter_horizontal = ["topics"]
    readonly_fields = [
        "feed_key",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "updated_at",
    ]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "paper", "value", "created_at"]
    list_filter = ["value"]
    raw_id_fields = ["subscriber", "paper"]
