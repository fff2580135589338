"""Staff pages under /ops/ (dashboard, "why no email?", preview, test send) and /healthz.

Thin: each view parses input, calls one function from dashboard/explain/preview/health, and
renders. Charts are SVG strings built by digest.ops.charts from the numbers the templates
also print.
"""

from __future__ import annotations

import smtplib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from digest.ops import dashboard
from digest.ops.charts import Threshold, bar_chart, line_chart
from digest.ops.explain import explain_reader
from digest.ops.health import health_report
from digest.ops.preview import next_edition_date, preview_next_digest, send_test_digest
from subscriptions.models import Subscriber

GMAIL_THRESHOLDS = [
    Threshold(dashboard.RATE_WARN, "0.1% Gmail guidance", "#dd6b20"),
    Threshold(dashboard.RATE_LIMIT, "0.3% Gmail limit", "#c53030"),
]


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render inside the admin's frame (header, user links, sidebar) for one look."""
    return render(request, template, {**admin.site.each_context(request), **context})


def _day_labels(days: list) -> list[str]:
    return [f"{d:%d %b}" for d in days]


@staff_member_required
@never_cache
def dashboard_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate(now)
    readers = dashboard.readers_over_time(today=today)
    editions = dashboard.delivery_health(today=today)
    sources = dashboard.ingestion_health(now=now)
    ingest = dashboard.ingest_by_day(today=today)
    edition_labels = [f"{e.edition.date:%d %b} {e.edition.frequency[0]}" for e in editions]
    charts = {
        "readers": line_chart(
            _day_labels(readers.days), readers.series, title="Readers per day, last 30 days"
        ),
        "deliveries": bar_chart(
            edition_labels,
            {
                "sent": [e.sent for e in editions],
                "skipped": [e.skipped for e in editions],
                "failed": [e.failed for e in editions],
                "waiting": [e.waiting for e in editions],
            },
            title="Deliveries per edition",
        ),
        "rates": line_chart(
            edition_labels,
            {
                "bounce rate": [e.bounce_rate for e in editions],
                "complaint rate": [e.complaint_rate for e in editions],
            },
            title="Bounce and complaint rates per edition",
            thresholds=GMAIL_THRESHOLDS,
            percent=True,
        ),
        "ingest": bar_chart(
            _day_labels(ingest.days), ingest.series, title="New papers per day", height=120
        ),
    }
    context = {
        "title": "Operations dashboard",
        "now": now,
        "readers": readers,
        "reader_rows": list(zip(readers.days, *readers.series.values(), strict=True))[::-1],
        "statuses": dashboard.readers_by_status(),
        "topics": dashboard.readers_by_topic(today=today),
        "editions": editions[::-1],
        "latest_edition": editions[-1] if editions else None,
        "rate_warnings": [(e, w) for e in editions for w in e.warnings],
        "sources": sources,
        "stale_sources": [s for s in sources if s.stale],
        "papers": dashboard.todays_papers(today=today),
        "charts": charts,
        "max_ingest_age": settings.HEALTH_MAX_INGEST_AGE_HOURS,
    }
    return _page(request, "ops/dashboard.html", context)


@staff_member_required
@never_cache
@require_GET
def reader_view(request: HttpRequest) -> HttpResponse:
    email = request.GET.get("email", "").strip()
    explanation = explain_reader(email=email) if email else None
    return _page(
        request,
        "ops/reader.html",
        {"title": "Why did this reader get no email?", "email": email, "x": explanation},
    )


@staff_member_required
@never_cache
def preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    reader = get_object_or_404(Subscriber, pk=pk)
    return _page(
        request,
        "ops/preview.html",
        {
            "title": f"Next digest for {reader.email}",
            "reader": reader,
            "next_date": next_edition_date(subscriber=reader),
            "papers": preview_next_digest(subscriber=reader),
        },
    )


class TestDigestForm(forms.Form):
    to = forms.EmailField(label="Send to", help_text="Usually your own address.")


@staff_member_required
@never_cache
def send_test_view(request: HttpRequest, pk: int) -> HttpResponse:
    reader = get_object_or_404(Subscriber, pk=pk)
    form = TestDigestForm(request.POST or None, initial={"to": request.user.email})
    if request.method == "POST" and form.is_valid():
        try:
            message_id = send_test_digest(subscriber=reader, to=form.cleaned_data["to"])
        except (smtplib.SMTPException, OSError) as error:
            messages.error(request, f"The test digest was not sent: {error}")
        else:
            messages.success(
                request, f"Test digest sent to {form.cleaned_data['to']} as {message_id}."
            )
            return redirect("ops:send-test", pk=reader.pk)
    return _page(
        request,
        "ops/send_test.html",
        {"title": f"Send a test digest of {reader.email}", "reader": reader, "form": form},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
