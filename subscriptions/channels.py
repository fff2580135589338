"""A reader's delivery channels besides email: add, remove, test, disable.

Adding goes through ChannelForm (the URL is checked by subscriptions.channel_urls), then is
stored encrypted with its masked form. The posting itself is digest's (digest/channels/): a
test post is asked for with the `channel_test_requested` signal, sent after commit, which
digest turns into a task (subscriptions never imports digest).
"""

from __future__ import annotations

import datetime as dt
import logging

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from subscriptions import channel_urls
from subscriptions.models import Channel, Subscriber

log = logging.getLogger(__name__)

# Sent after commit with `channel_id` when a reader asks for a test post.
channel_test_requested = Signal()


class SecretURLInput(forms.URLInput):
    """A URL field that never renders its value: a refused form comes back empty, so the page
    (and whatever caches or records it) never holds the webhook secret."""

    def format_value(self, value: object) -> None:
        return None


class ChannelForm(forms.Form):
    error_anchor = "channels"  # where the page's error summary links a form-wide error
    kind = forms.ChoiceField(label="Where", choices=Channel.Kind.choices)
    label = forms.CharField(
        label="Name (for you)",
        max_length=60,
        required=False,
        help_text='E.g. "#reading-group". Optional.',
    )
    url = forms.CharField(
        label="Webhook URL",
        max_length=channel_urls.MAX_URL_LENGTH,
        widget=SecretURLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: object, subscriber: Subscriber, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.subscriber = subscriber
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"channel-{name}")

    def clean(self) -> dict:
        data = super().clean()
        if self.subscriber.channels.count() >= settings.CHANNELS_PER_READER:
            raise forms.ValidationError(
                f"You have {settings.CHANNELS_PER_READER} channels, the most we allow: "
                "remove one to add another."
            )
        kind, url = data.get("kind"), data.get("url")
        if kind and url:
            try:
                data["url"] = channel_urls.check_url(kind, url)
            except forms.ValidationError as error:
                self.add_error("url", error)
        return data


def add_channel(*, subscriber: Subscriber, kind: str, label: str, url: str) -> Channel:
    """Store a checked URL (ChannelForm) encrypted, with the form shown back."""
    channel = Channel.objects.create(
        subscriber=subscriber,
        kind=kind,
        label=label.strip(),
        url_encrypted=channel_urls.encrypt(url),
        url_masked=channel_urls.mask(url),
    )
    log.info("event=channel_added channel=%s kind=%s url=%s", channel.pk, kind, channel.url_masked)
    return channel


def remove_channel(*, subscriber_id: int, channel_id: int) -> bool:
    """Delete one of this reader's channels (its posts go with it)."""
    deleted, _ = Channel.objects.filter(pk=channel_id, subscriber_id=subscriber_id).delete()
    return bool(deleted)


def request_test(*, subscriber_id: int, channel_id: int, now: dt.datetime | None = None) -> bool:
    """Ask for a test post to an active channel, at most once per CHANNEL_TEST_INTERVAL_SECONDS
    per channel (a conditional UPDATE, so two quick clicks make one post). True if asked."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.CHANNEL_TEST_INTERVAL_SECONDS)
    asked = Channel.objects.filter(
        Q(test_requested_at__isnull=True) | Q(test_requested_at__lt=since),
        pk=channel_id,
        subscriber_id=subscriber_id,
        status=Channel.Status.ACTIVE,
    ).update(test_requested_at=now, test_result="test post on its way")
    if asked:
        transaction.on_commit(
            lambda: channel_test_requested.send(sender=Channel, channel_id=channel_id)
        )
    return bool(asked)


def disable(*, channel_id: int, reason: str) -> bool:
    """The platform said the webhook is gone (404/410): stop posting, and tell the reader why
    on their preferences page. Adding the channel again with a new URL starts afresh."""
    changed = Channel.objects.filter(pk=channel_id, status=Channel.Status.ACTIVE).update(
        status=Channel.Status.DISABLED, disabled_reason=reason[:300], disabled_at=timezone.now()
    )
    if changed:
        log.warning("event=channel_disabled channel=%s reason=%s", channel_id, reason)
    return bool(changed)


def record_test_result(*, channel_id: int, result: str) -> None:
    Channel.objects.filter(pk=channel_id).update(test_result=result[:300])
