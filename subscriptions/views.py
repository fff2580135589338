"""Pages about the reader's account: sign-up, confirm, preferences, unsubscribe, send-me-my-link.

Thin: parse the request, call one function in consent/preferences, render. Signed links are
read here and nowhere else; a bad link gets a friendly page (400/404), never a 500.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from subscriptions import account_mail, consent, preferences, seeds
from subscriptions.forms import (
    WEEKDAYS,
    ChangeEmailForm,
    PauseForm,
    PreferencesForm,
    SendLinkForm,
    SignupForm,
)
from subscriptions.models import Feedback, Subscriber
from subscriptions.tokens import InvalidToken, subscriber_id_from, subscriber_token

PAUSE_INSTEAD_DAYS = 30
FEEDBACK_ID = re.compile(r"[0-9]{1,18}")


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address our own proxies saw when TRUSTED_PROXY_COUNT says there are
    some (entries further left in X-Forwarded-For are supplied by the client and not trusted)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "subscriptions/rate_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response


def invalid_link(request: HttpRequest, *, status: int = 400) -> HttpResponse:
    return render(request, "subscriptions/invalid_link.html", status=status)


def _signed_subscriber(purpose: str, token: str) -> Subscriber | None:
    try:
        subscriber_id = subscriber_id_from(purpose, token)
    except InvalidToken:
        return None
    return Subscriber.objects.filter(pk=subscriber_id).first()


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.is_bot():
            return redirect("subscriptions:check_inbox")
        try:
            account_mail.queue_signup(
                email=form.cleaned_data["email"], ip=client_ip(request), **form.choices()
            )
        except account_mail.RateLimited:
            return rate_limited(request)
        # Papers the visitor likes wait for the address's owner to confirm (seeds.py).
        seeds.hold_for_confirmation(email=form.cleaned_data["email"], refs=form.refs())
        return redirect("subscriptions:check_inbox")
    status = 400 if form.is_bound else 200
    return render(request, "subscriptions/signup.html", {"form": form}, status=status)


def check_inbox(request: HttpRequest) -> HttpResponse:
    """The same page whatever the address was: known, unknown, unsubscribed or a bot's."""
    return render(request, "subscriptions/check_inbox.html")


@require_http_methods(["GET", "HEAD", "POST"])
def send_link(request: HttpRequest) -> HttpResponse:
    form = SendLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_mail.queue_manage_link(email=form.cleaned_data["email"], ip=client_ip(request))
        except account_mail.RateLimited:
            return rate_limited(request)
        return redirect("subscriptions:check_inbox")
    return render(request, "subscriptions/send_link.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button: link scanners fetch every URL in mail, and must not confirm."""
    try:
        pending = consent.subscriber_for_confirmation(token)
        if request.method != "POST":
            return render(request, "subscriptions/confirm.html", {"subscriber": pending})
        subscriber = consent.confirm(token)
    except InvalidToken:
        return invalid_link(request)
    except consent.AddressTaken:
        return render(request, "subscriptions/address_taken.html", status=409)
    manage_path = reverse("subscriptions:manage", args=[subscriber_token("manage", subscriber)])
    return render(
        request,
        "subscriptions/welcome.html",
        {
            "subscriber": subscriber,
            "manage_path": manage_path,
            "address_change": bool(pending.pending_email),
            "weekday_name": dict(WEEKDAYS).get(subscriber.weekday, "week"),
        },
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click: a POST (body `List-Unsubscribe=One-Click`, no cookies, no CSRF token)
    acts at once and idempotently, trusting only the signed token. A GET changes nothing.

    The POST is the hot path (mailbox providers send it in bursts; see `bench web`): one token
    check, one conditional UPDATE, then one narrow SELECT for the page."""
    try:
        subscriber_id = subscriber_id_from("unsubscribe", token)
    except InvalidToken:
        return invalid_link(request)
    if request.method == "POST":
        preferences.unsubscribe(subscriber_id=subscriber_id)
    subscriber = (
        Subscriber.objects.filter(pk=subscriber_id).only("email", "status", "confirmed_at").first()
    )
    if subscriber is None:
        return invalid_link(request)
    manage_path = reverse("subscriptions:manage", args=[subscriber_token("manage", subscriber)])
    context = {"subscriber": subscriber, "manage_path": manage_path}
    if request.method == "POST":
        pause_until = timezone.localdate() + dt.timedelta(days=PAUSE_INSTEAD_DAYS)
        context["pause_form"] = PauseForm(initial={"until": pause_until})
        return render(request, "subscriptions/unsubscribed.html", context)
    return render(request, "subscriptions/unsubscribe.html", context)


MANAGE_ACTIONS = {"save", "pause", "resume", "change_email", "unsubscribe", "resubscribe", "undo"}


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _signed_subscriber("manage", token)
    if subscriber is None:
        return invalid_link(request)
    forms = {
        "prefs_form": PreferencesForm.for_subscriber(subscriber),
        "pause_form": PauseForm(
            initial={"until": timezone.localdate() + dt.timedelta(days=PAUSE_INSTEAD_DAYS)}
        ),
        "email_form": ChangeEmailForm(),
    }
    action = request.POST.get("action", "")
    if request.method == "POST" and action in MANAGE_ACTIONS:
        response, invalid_form = _manage_action(request, subscriber, action)
        if response is not None:
            return response
        forms.update(invalid_form)
    feedback = (
        Feedback.objects.filter(subscriber=subscriber)
        .select_related("paper")
        .order_by("-created_at")
    )
    context = {
        "subscriber": subscriber,
        "feedback": feedback,
        "feed_url": f"{settings.SITE_URL}/feed/{subscriber.feed_key}.xml",
        "unsubscribe_path": reverse(
            "subscriptions:unsubscribe", args=[subscriber_token("unsubscribe", subscriber)]
        ),
        **forms,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "subscriptions/manage.html", context, status=status)


def _manage_action(
    request: HttpRequest, subscriber: Subscriber, action: str
) -> tuple[HttpResponse | None, dict]:
    """Run one preferences-centre action; on success redirect back (POST/redirect/GET),
    otherwise return the bound form so the page shows its errors."""
    pk = subscriber.pk
    if action == "save":
        form = PreferencesForm.for_subscriber(subscriber, data=request.POST)
        if not form.is_valid():
            return None, {"prefs_form": form}
        preferences.update_preferences(subscriber=subscriber, **form.choices())
        messages.success(request, "Saved. Your next digest uses these settings.")
    elif action == "pause":
        form = PauseForm(request.POST)
        if not form.is_valid():
            return None, {"pause_form": form}
        until = form.cleaned_data["until"]
        if preferences.pause(subscriber_id=pk, until=until):
            messages.success(request, f"Paused. Digests start again on {until:%-d %B %Y}.")
    elif action == "resume":
        if preferences.resume(subscriber_id=pk):
            messages.success(request, "Resumed. Your next digest arrives as scheduled.")
    elif action == "change_email":
        form = ChangeEmailForm(request.POST)
        if not form.is_valid():
            return None, {"email_form": form}
        account_mail.queue_address_change(
            subscriber_id=pk, new_email=form.cleaned_data["new_email"]
        )
        messages.success(
            request,
            "If that address can be used, a confirmation link is on its way to it. "
            "Digests go to your current address until you click it.",
        )
    elif action == "unsubscribe":
        preferences.unsubscribe(subscriber_id=pk)
        messages.success(request, "Unsubscribed. You will get no more digests.")
    elif action == "resubscribe":
        if preferences.resubscribe(subscriber_id=pk):
            messages.success(request, "Welcome back. Digests start again with the next edition.")
    elif action == "undo":
        feedback_id = request.POST.get("feedback_id", "")
        # ASCII digits only, and few enough to be an id: str.isdigit() accepts "²" and int()
        # refuses 5,000-digit strings, either of which would otherwise be a 500.
        if FEEDBACK_ID.fullmatch(feedback_id) and preferences.undo_feedback(
            subscriber_id=pk, feedback_id=int(feedback_id)
        ):
            messages.success(request, "Removed. Matching no longer uses that vote.")
    return redirect(request.path), {}
