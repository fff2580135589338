"""Readers, the curated topics they pick, and their feedback on papers.

Imports point one way: `digest` uses `subscriptions`; nothing here imports `digest`
(Feedback names digest.Paper by string only).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone


class Topic(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    keywords = models.JSONField(default=list, blank=True, help_text="Phrases, one per item")
    categories = models.JSONField(
        default=list, blank=True, help_text="arXiv categories, e.g. cs.RO"
    )
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def active(self) -> SubscriberQuerySet:
        return self.filter(status=Subscriber.Status.ACTIVE)

    def by_email(self, email: str) -> SubscriberQuerySet:
        return self.filter(email__iexact=email.strip())

    def receiving(self, on: dt.date) -> SubscriberQuerySet:
        """Active readers, plus paused ones whose pause has ended by `on`."""
        return self.filter(
            models.Q(status=Subscriber.Status.ACTIVE)
            | models.Q(status=Subscriber.Status.PAUSED, paused_until__lte=on)
        )


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ACTIVE = "active"
        PAUSED = "paused"
        UNSUBSCRIBED = "unsubscribed"
        SUPPRESSED = "suppressed"

    class Frequency(models.TextChoices):
        DAILY = "daily"
        WEEKLY = "weekly"

    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    frequency = models.CharField(max_length=6, choices=Frequency.choices, default=Frequency.DAILY)
    weekday = models.PositiveSmallIntegerField(default=0, help_text="Weekly digests: 0=Monday")
    send_hour = models.PositiveSmallIntegerField(default=settings.DIGEST_HOUR_DEFAULT)
    timezone = models.CharField(max_length=64, default="UTC")
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    interests = models.TextField(blank=True, max_length=2000, help_text="In the reader's words")
    exclusions = models.TextField(
        blank=True, max_length=1000, help_text="Words or phrases to exclude"
    )
    max_papers = models.PositiveSmallIntegerField(default=10)
    paused_until = models.DateField(null=True, blank=True)
    pending_email = models.EmailField(blank=True, help_text="New address awaiting confirmation")
    pending_choices = models.JSONField(
        default=dict,
        blank=True,
        help_text="Choices from a sign-up for this existing address; applied only when its "
        "owner confirms",
    )
    feed_key = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    soft_bounces = models.PositiveIntegerField(default=0)
    suppression_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # The task that claimed the one-mail-per-window slot: a redelivered copy of it (after a
    # worker crash) may claim again; any other mail waits for the window.
    account_mail_claim = models.CharField(max_length=64, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "frequency"]),
            # The operations dashboard counts these per day over the last 30 days.
            models.Index(
                fields=["confirmed_at"],
                name="subscriber_confirmed_at",
                condition=models.Q(confirmed_at__isnull=False),
            ),
            models.Index(
                fields=["unsubscribed_at"],
                name="subscriber_unsubscribed_at",
                condition=models.Q(unsubscribed_at__isnull=False),
            ),
            models.Index(
                fields=["suppressed_at"],
                name="subscriber_suppressed_at",
                condition=models.Q(suppressed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.email


class Feedback(models.Model):
    """A reader's "more like this" (+1) or "less like this" (-1) on one paper."""

    MORE = 1
    LESS = -1

    class Origin(models.TextChoices):
        DIGEST = "digest", "marked in a digest"
        LIBRARY = "library", "from the reader's library"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="feedback")
    paper = models.ForeignKey("digest.Paper", on_delete=models.CASCADE, related_name="feedback")
    value = models.SmallIntegerField(choices=[(MORE, "more like this"), (LESS, "less like this")])
    # Library seeds (subscriptions/seeds.py) are "more like this" marks the reader imported.
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.DIGEST)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "paper"], name="feedback_once_per_paper")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id} {self.value:+d} {self.paper_id}"


class SubmissionCount(models.Model):
    """Sign-up and send-my-link submissions from one network in one hour (the per-IP limit)."""

    network = models.CharField(max_length=64)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "hour"], name="one_count_per_network_hour")
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.hour:%Y-%m-%d %H}h: {self.count}"


# --- Start from papers you like, follow authors (issue #15; subscriptions/seeds.py, authors.py) --


class LibraryEntry(models.Model):
    """A paper a reader pasted or uploaded that is not (yet) one of their marks.

    Waiting entries belong to a sign-up (`email`, no subscriber) until its owner confirms;
    pending ones are being looked up; a found paper becomes a Feedback row (origin "library")
    and its entry is deleted, so what is left says what could not be found."""

    class Status(models.TextChoices):
        WAITING = "waiting", "waiting for the sign-up to be confirmed"
        PENDING = "pending", "being looked up"
        NOT_FOUND = "not_found", "not found"

    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.CASCADE, related_name="library"
    )
    email = models.EmailField(blank=True, help_text="A sign-up's address, until it is confirmed")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    arxiv_id = models.CharField(max_length=40, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        verbose_name_plural = "library entries"
        indexes = [models.Index(fields=["email"], name="library_entry_email")]

    def __str__(self) -> str:
        return self.arxiv_id or self.doi or self.title


class FollowedAuthor(models.Model):
    """An author whose papers a reader gets whatever their score (subscriptions/authors.py)."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="followed_authors"
    )
    name = models.CharField(max_length=200, help_text="As the reader confirmed it")
    key = models.CharField(max_length=200, help_text="Normalised: accents, case, order")
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "key"], name="follow_author_once")
        ]

    def __str__(self) -> str:
        return self.name


# --- Delivery channels besides email (subscriptions/channels.py; digest/channels/) ----------


class ChannelQuerySet(models.QuerySet["Channel"]):
    def active(self) -> ChannelQuerySet:
        return self.filter(status=Channel.Status.ACTIVE)


class Channel(models.Model):
    """A Slack, Discord or Matrix webhook that gets the reader's digest beside the email.

    The URL is a bearer secret (whoever holds it can post to the room): it is stored only
    encrypted (`url_encrypted`, Fernet; subscriptions/channel_urls.py) and shown only masked."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        DISCORD = "discord", "Discord"
        MATRIX = "matrix", "Matrix"

    class Status(models.TextChoices):
        ACTIVE = "active"
        DISABLED = "disabled"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    label = models.CharField(max_length=60, blank=True)
    url_encrypted = models.TextField(help_text="The webhook URL, Fernet-encrypted")
    url_masked = models.CharField(max_length=120, help_text="Host and last 4 characters")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The "send a test post" button: when it was last pressed (one per interval) and the result.
    test_requested_at = models.DateTimeField(null=True, blank=True)
    test_result = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label or self.url_masked}"
