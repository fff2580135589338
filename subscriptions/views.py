"""Pages about the reader's account: sign-up, confirm, unsubscribe, send-me-my-link.

Thin: parse the request, call one function in services/account_mail, render. Signed links are
read here and in manage.py (the preferences centre) and nowhere else; a bad link gets a
friendly page (400/404), never a 500.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from subscriptions import account_mail, seeds, services
from subscriptions.forms import WEEKDAYS, PauseForm, SendLinkForm, SignupForm
from subscriptions.manage import PAUSE_INSTEAD_DAYS
from subscriptions.models import Subscriber
from subscriptions.tokens import (
    ExpiredToken,
    InvalidToken,
    subscriber_id_from,
    subscriber_id_from_confirmation,
    subscriber_token,
)

Status = Subscriber.Status


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address our own proxies saw when TRUSTED_PROXY_COUNT says there are
    some (entries further left in X-Forwarded-For are supplied by the client and not trusted)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The same form again, with what was typed, and an honest banner: nothing was sent."""
    context = {**context, "rate_limited": True}
    response = render(request, template, context, status=429)
    response["Retry-After"] = "3600"
    return response


def invalid_link(request: HttpRequest, *, status: int = 400) -> HttpResponse:
    return render(request, "subscriptions/invalid_link.html", status=status)


def manage_path(subscriber: Subscriber) -> str:
    return reverse("subscriptions:manage", args=[subscriber_token("manage", subscriber)])


def accept_signup(request: HttpRequest, form: SignupForm) -> HttpResponse | None:
    """A valid sign-up form: queue it and answer with the "check your inbox" redirect, or
    None when the IP limit refuses it (the caller shows the same page again, 429). Used by
    this app's sign-up page and the home page."""
    if form.is_bot():
        return redirect("subscriptions:check_inbox")
    try:
        account_mail.queue_signup(
            email=form.cleaned_data["email"], choices=form.choices(), ip=client_ip(request)
        )
    except account_mail.RateLimited:
        return None
    # Papers the visitor likes wait for the address's owner to confirm (seeds.py).
    seeds.hold_for_confirmation(email=form.cleaned_data["email"], refs=form.refs())
    return redirect("subscriptions:check_inbox")


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, request.FILES or None)
    context = {"form": form, "action": reverse("subscriptions:signup")}
    if request.method == "POST" and form.is_valid():
        accepted = accept_signup(request, form)
        if accepted is None:
            return rate_limited(request, "subscriptions/signup.html", context)
        return accepted
    status = 400 if form.is_bound else 200
    return render(request, "subscriptions/signup.html", context, status=status)


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/privacy.html")


def check_inbox(request: HttpRequest) -> HttpResponse:
    """The same page whatever the address was: known, unknown, unsubscribed or a bot's."""
    return render(request, "subscriptions/check_inbox.html")


def link_sent(request: HttpRequest) -> HttpResponse:
    """After "send me my link": the same page for any address."""
    return render(request, "subscriptions/link_sent.html")


@require_http_methods(["GET", "HEAD", "POST"])
def send_link(request: HttpRequest) -> HttpResponse:
    form = SendLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_mail.queue_manage_link(email=form.cleaned_data["email"], ip=client_ip(request))
        except account_mail.RateLimited:
            return rate_limited(request, "subscriptions/send_link.html", {"form": form})
        return redirect("subscriptions:link_sent")
    return render(request, "subscriptions/send_link.html", {"form": form})


def _refused_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    """Why a confirmation link no longer works, with the way forward for that case.

    A genuine, unexpired link whose reader is now active or paused was used already: that
    visitor holds the mailbox the link went to (where every digest's manage link goes too),
    so the page links to their preferences."""
    try:
        subscriber_id, _ = subscriber_id_from_confirmation(token)
    except ExpiredToken:
        context = {"max_age_days": settings.CONFIRMATION_MAX_AGE_DAYS}
        return render(request, "subscriptions/confirm_expired.html", context, status=400)
    except InvalidToken:
        return invalid_link(request)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status not in (Status.ACTIVE, Status.PAUSED):
        return invalid_link(request)
    context = {"manage_path": manage_path(subscriber)}
    return render(request, "subscriptions/already_subscribed.html", context, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button: link scanners fetch every URL in mail, and must not confirm."""
    try:
        pending = services.subscriber_for_confirmation(token)
        if request.method != "POST":
            return render(request, "subscriptions/confirm.html", {"subscriber": pending})
        subscriber = services.confirm(token)
    except InvalidToken:
        return _refused_confirmation(request, token)
    except services.AddressTaken:
        return render(request, "subscriptions/address_taken.html", status=409)
    return render(
        request,
        "subscriptions/welcome.html",
        {
            "subscriber": subscriber,
            "manage_path": manage_path(subscriber),
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
        services.unsubscribe(subscriber_id=subscriber_id)
    subscriber = (
        Subscriber.objects.filter(pk=subscriber_id).only("email", "status", "confirmed_at").first()
    )
    if subscriber is None:
        return invalid_link(request)
    context = {"subscriber": subscriber, "manage_path": manage_path(subscriber)}
    if request.method == "POST":
        pause_until = timezone.localdate() + dt.timedelta(days=PAUSE_INSTEAD_DAYS)
        context["pause_form"] = PauseForm(initial={"until": pause_until})
        return render(request, "subscriptions/unsubscribed.html", context)
    return render(request, "subscriptions/unsubscribe.html", context)
