"""The preferences centre behind a reader's signed manage link: one small view per action.

The page posts every form to the manage URL with a button's `action`; `manage` looks the action
up in ACTIONS and calls its view. A valid action redirects back (POST/redirect/GET) with a
banner; an invalid form re-renders the same page (400) with an error summary at the top.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from subscriptions import account_mail, channels, services
from subscriptions.forms import WEEKDAYS, ChangeEmailForm, PauseForm, PreferencesForm
from subscriptions.models import Feedback, Subscriber
from subscriptions.tokens import InvalidToken, subscriber_id_from, subscriber_token

PAUSE_INSTEAD_DAYS = 30
# ASCII digits only, and few enough to be an id: str.isdigit() accepts "²" and int() refuses
# 5,000-digit strings, either of which would otherwise be a 500.
POSTED_ID = re.compile(r"[0-9]{1,18}")


def default_pause_form() -> PauseForm:
    until = timezone.localdate() + dt.timedelta(days=PAUSE_INSTEAD_DAYS)
    return PauseForm(initial={"until": until})


def summary(subscriber: Subscriber) -> str:
    """One line of the reader's settings, e.g. "Weekly, Friday 07:00 Europe/Berlin, 5 papers,
    3 topics"."""
    when = f"{subscriber.send_hour:02d}:00 {subscriber.timezone.replace('_', ' ')}"
    if subscriber.frequency == Subscriber.Frequency.WEEKLY:
        when = f"Weekly, {dict(WEEKDAYS).get(subscriber.weekday, 'Monday')} {when}"
    else:
        when = f"Daily, {when}"
    topics = subscriber.topics.count()
    parts = [when, f"{subscriber.max_papers} paper{'s' if subscriber.max_papers != 1 else ''}"]
    parts.append(f"{topics} topic{'s' if topics != 1 else ''}")
    if subscriber.interests:
        parts.append("your own interests")
    return ", ".join(parts)


def manage_page(request: HttpRequest, subscriber: Subscriber, **bound) -> HttpResponse:
    """The page; forms passed in `bound` (invalid, with errors) replace the blank ones."""
    forms = {
        "prefs_form": PreferencesForm.for_subscriber(subscriber),
        "pause_form": default_pause_form(),
        "email_form": ChangeEmailForm(),
        "channel_form": channels.ChannelForm(subscriber=subscriber),
        **bound,
    }
    feedback = (
        Feedback.objects.filter(subscriber=subscriber)
        .select_related("paper")
        .order_by("-created_at")
    )
    errors = [form for form in bound.values() if form.errors]
    context = {
        "subscriber": subscriber,
        "summary": summary(subscriber),
        "feedback": feedback,
        "feed_url": f"{settings.SITE_URL}/feed/{subscriber.feed_key}.xml",
        "unsubscribe_path": reverse(
            "subscriptions:unsubscribe", args=[subscriber_token("unsubscribe", subscriber)]
        ),
        "channels": list(subscriber.channels.all()),
        "channels_max": settings.CHANNELS_PER_READER,
        "error_forms": errors,
        **forms,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "subscriptions/manage.html", context, status=status)


def save(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    form = PreferencesForm.for_subscriber(subscriber, data=request.POST)
    if not form.is_valid():
        return manage_page(request, subscriber, prefs_form=form)
    services.update_preferences(subscriber=subscriber, choices=form.choices())
    messages.success(request, "Saved. Your next digest uses these settings.")
    return redirect(request.path)


def pause(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    form = PauseForm(request.POST)
    if not form.is_valid():
        return manage_page(request, subscriber, pause_form=form)
    until = form.cleaned_data["until"]
    if services.pause(subscriber_id=subscriber.pk, until=until):
        messages.success(request, f"Paused. Digests start again on {until:%-d %B %Y}.")
    return redirect(request.path)


def resume(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if services.resume(subscriber_id=subscriber.pk):
        messages.success(request, "Resumed. Your next digest arrives as scheduled.")
    return redirect(request.path)


def change_email(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    form = ChangeEmailForm(request.POST)
    if not form.is_valid():
        return manage_page(request, subscriber, email_form=form)
    account_mail.queue_address_change(
        subscriber_id=subscriber.pk, new_email=form.cleaned_data["new_email"]
    )
    messages.success(
        request,
        "If that address can be used, a confirmation link is on its way to it. "
        "Digests go to your current address until you click it.",
    )
    return redirect(request.path)


def unsubscribe(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    services.unsubscribe(subscriber_id=subscriber.pk)
    messages.success(request, "Unsubscribed. You will get no more digests.")
    return redirect(request.path)


def resubscribe(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if services.resubscribe(subscriber_id=subscriber.pk):
        messages.success(request, "Welcome back. Digests start again with the next edition.")
    return redirect(request.path)


def _posted_id(request: HttpRequest, name: str) -> int | None:
    """A row id from the form (`feedback_id`, `channel_id`), or None when it is not one."""
    value = request.POST.get(name, "")
    return int(value) if POSTED_ID.fullmatch(value) else None


def undo(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    feedback_id = _posted_id(request, "feedback_id")
    if feedback_id and services.undo_feedback(subscriber_id=subscriber.pk, feedback_id=feedback_id):
        messages.success(request, "Removed. Matching no longer uses that vote.")
    return redirect(request.path)


def add_channel(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    form = channels.ChannelForm(request.POST, subscriber=subscriber)
    if not form.is_valid():
        return manage_page(request, subscriber, channel_form=form)
    channel = channels.add_channel(subscriber=subscriber, **form.cleaned_data)
    messages.success(
        request, f"Added {channel.get_kind_display()}: your next digest is posted there too."
    )
    return redirect(request.path + "#channels")


def remove_channel(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    channel_id = _posted_id(request, "channel_id")
    if channel_id and channels.remove_channel(subscriber_id=subscriber.pk, channel_id=channel_id):
        messages.success(request, "Removed. Nothing more is posted there.")
    return redirect(request.path + "#channels")


def channel_test(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    channel_id = _posted_id(request, "channel_id")
    if channel_id and channels.request_test(subscriber_id=subscriber.pk, channel_id=channel_id):
        messages.success(request, "A test post is on its way; its result shows below.")
    else:
        messages.warning(request, "One test post a minute per channel: try again shortly.")
    return redirect(request.path + "#channels")


ACTIONS: dict[str, Callable[[HttpRequest, Subscriber], HttpResponse]] = {
    "save": save,
    "pause": pause,
    "resume": resume,
    "change_email": change_email,
    "unsubscribe": unsubscribe,
    "resubscribe": resubscribe,
    "undo": undo,
    "add_channel": add_channel,
    "remove_channel": remove_channel,
    "test_channel": channel_test,
}


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber_id = subscriber_id_from("manage", token)
    except InvalidToken:
        subscriber_id = None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() if subscriber_id else None
    if subscriber is None:
        return render(request, "subscriptions/invalid_link.html", status=400)
    action = ACTIONS.get(request.POST.get("action", "")) if request.method == "POST" else None
    if action is not None:
        return action(request, subscriber)
    return manage_page(request, subscriber)
