"""Pages that show papers from a digest: view-in-browser and the more/less-like-this links.

View in browser renders the email's own template (templates/email/digest.html) un-inlined; the
feedback page is a site page (base.html and the site's stylesheet).

Link scanners fetch every URL in an email, so no GET changes anything: the feedback link's GET
shows the paper and a button; only the POST (the button) records Feedback. The signed token is
the only credential (purpose "feedback" / "view"; no other token works here).
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from digest.delivery.message import digest_context, display_title
from digest.delivery.send import _topic_names
from digest.models import Delivery, Paper
from subscriptions.emails import manage_url, unsubscribe_url
from subscriptions.models import Feedback, Subscriber
from subscriptions.tokens import InvalidToken, read_token


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "digest/invalid_link.html", status=400)


@require_http_methods(["GET", "HEAD"])
def view_in_browser(request: HttpRequest, token: str) -> HttpResponse:
    try:
        delivery_id = read_token("view", token)
    except InvalidToken:
        return _invalid(request)
    if not isinstance(delivery_id, int):
        return _invalid(request)
    delivery = (
        Delivery.objects.select_related("subscriber", "edition").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return _invalid(request)
    ids = [item["id"] for item in delivery.papers]
    context = digest_context(
        delivery=delivery,
        subscriber=delivery.subscriber,
        edition=delivery.edition,
        papers={p.canonical_id: p for p in Paper.objects.filter(canonical_id__in=ids)},
        topic_names=_topic_names([delivery.subscriber_id])[delivery.subscriber_id],
    )
    # The email's own HTML before CSS inlining: its one <style> carries a nonce the page's CSP
    # names (config/middleware.py), so the site's style-src 'self' holds with no inline styles.
    request.csp_style_nonce = secrets.token_urlsafe(16)
    context.update(
        unsubscribe_url=unsubscribe_url(delivery.subscriber),
        manage_url=manage_url(delivery.subscriber),
        in_browser=True,
        csp_nonce=request.csp_style_nonce,
    )
    return render(request, "email/digest.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    try:
        value = read_token("feedback", token)
    except InvalidToken:
        return _invalid(request)
    if not (isinstance(value, list) and len(value) == 3 and value[2] in (1, -1)):
        return _invalid(request)
    subscriber = Subscriber.objects.filter(pk=value[0]).first()
    paper = Paper.objects.filter(pk=value[1]).first()
    if subscriber is None or paper is None:
        return _invalid(request)
    recorded = False
    if request.method == "POST":
        Feedback.objects.update_or_create(
            subscriber=subscriber, paper=paper, defaults={"value": value[2]}
        )
        recorded = True
    return render(
        request,
        "digest/feedback.html",
        {
            "title": display_title(paper),
            "more": value[2] == Feedback.MORE,
            "recorded": recorded,
            "manage_url": manage_url(subscriber),
        },
    )
