"""Editions, the Delivery ledger that makes each digest go out exactly once, and ESP events."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Edition(models.Model):
    """One per frequency per date: the shared part of a digest, computed once."""

    class Frequency(models.TextChoices):
        DAILY = "daily"
        WEEKLY = "weekly"
        WELCOME = "welcome"

    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    paper_ids = models.JSONField(default=list, blank=True, help_text="Candidate papers")

    class Meta:
        ordering = ["-date", "frequency"]
        constraints = [
            models.UniqueConstraint(fields=["frequency", "date"], name="edition_once_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.frequency} {self.date:%Y-%m-%d}"


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def pending(self) -> DeliveryQuerySet:
        return self.filter(status=Delivery.Status.PENDING)


class Delivery(models.Model):
    """The ledger: one row per (reader, edition). pending -> sending -> handed_over -> sent, or
    skipped/failed (digest/ledger.py has the transitions)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"  # claimed; the server has not been asked to take the message yet
        HANDED_OVER = "handed_over"  # the end of data (or the ESP request) is on its way
        SENT = "sent"
        SKIPPED = "skipped"
        FAILED = "failed"

    subscriber = models.ForeignKey(
        "subscriptions.Subscriber", on_delete=models.CASCADE, related_name="deliveries"
    )
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True, help_text="Why skipped or failed")
    papers = models.JSONField(default=list, blank=True, help_text="[{id, score, why}] in order")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "edition"], name="delivery_once_per_edition"
            )
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self) -> str:
        return f"{self.edition} to {self.subscriber_id}: {self.status}"


class SentPaper(models.Model):
    """Every paper a reader has been sent, so no paper is ever sent to them twice."""

    subscriber = models.ForeignKey(
        "subscriptions.Subscriber", on_delete=models.CASCADE, related_name="sent_papers"
    )
    paper = models.ForeignKey("digest.Paper", on_delete=models.CASCADE, related_name="sent_to")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="sent_papers")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "paper"], name="paper_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} to {self.subscriber_id}"


class EmailEvent(models.Model):
    """A tracking event from the ESP (anymail), stored once per event id."""

    event_id = models.CharField(max_length=300, unique=True)
    event_type = models.CharField(max_length=30, db_index=True)
    esp_name = models.CharField(max_length=40, blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    recipient = models.EmailField(blank=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    timestamp = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    description = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-timestamp"]
        # "Why no email?" and the admin search find a reader's events by address.
        indexes = [models.Index(fields=["recipient"], name="emailevent_recipient")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.recipient}"
