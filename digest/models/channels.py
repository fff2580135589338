"""The channel ledger: one ChannelPost per (channel, edition), like Delivery for email."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from digest.models.editions import Delivery, Edition


class ChannelPostQuerySet(models.QuerySet["ChannelPost"]):
    def pending(self) -> ChannelPostQuerySet:
        return self.filter(status=ChannelPost.Status.PENDING)


class ChannelPost(models.Model):
    """One edition posted to one Slack/Discord/Matrix webhook. pending -> sending ->
    handed_over -> sent, or skipped/failed (digest/channels/ledger.py has the transitions).
    The papers are the reader's Delivery row's: the same digest as the email."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"  # claimed; the request has not started
        HANDED_OVER = "handed_over"  # the request is on its way: the platform may have it
        SENT = "sent"
        SKIPPED = "skipped"
        FAILED = "failed"

    channel = models.ForeignKey(
        "subscriptions.Channel", on_delete=models.CASCADE, related_name="posts"
    )
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="channel_posts")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="channel_posts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ChannelPostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "edition"], name="channel_post_once")
        ]
        indexes = [models.Index(fields=["edition", "status"], name="channel_post_edition")]

    def __str__(self) -> str:
        return f"{self.edition} to channel {self.channel_id}: {self.status}"
