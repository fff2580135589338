"""Staff pages under /ops/ (dashboard, "why no email?", preview, test send) and /healthz.

Thin: each view parses input, calls one function from dashboard/explain/preview/health, and
renders. The dashboard is tables only (no charts); its health cards are the /healthz report.
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
from digest.ops.explain import explain_reader
from digest.ops.health import health_report
from digest.ops.preview import preview_next_digest, send_test_digest
from digest.schedule import next_edition_date
from subscriptions.models import Subscriber


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render inside the admin's frame (header, user links, sidebar) for one look."""
    return render(request, template, {**admin.site.each_context(request), **context})


@staff_member_required
@never_cache
def dashboard_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate(now)
    readers = dashboard.readers_over_time(today=today)
    ingest = dashboard.ingest_by_day(today=today)
    editions = dashboard.delivery_health(today=today)
    sources = dashboard.ingestion_health(now=now)
    context = {
        "title": "Operations dashboard",
        "now": now,
        "health": health_report(now=now),
        "readers": readers,
        "daily_rows": list(
            zip(readers.days, *readers.series.values(), *ingest.series.values(), strict=True)
        )[::-1],
        "new_papers": ingest.totals["new papers"],
        "statuses": dashboard.readers_by_status(),
        "topics": dashboard.readers_by_topic(today=today),
        "editions": editions[::-1],
        "latest_edition": editions[-1] if editions else None,
        "rate_warnings": [(e, w) for e in editions for w in e.warnings],
        "sources": sources,
        "stale_sources": [s for s in sources if s.stale],
        "papers": dashboard.todays_papers(today=today),
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
    next_date = next_edition_date(subscriber=reader, now=timezone.now())
    return _page(
        request,
        "ops/preview.html",
        {
            "title": f"Next digest for {reader.email}",
            "reader": reader,
            "next_date": next_date,
            "papers": preview_next_digest(subscriber=reader, date=next_date),
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
