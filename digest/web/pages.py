"""Pages that show papers: the home page with its live preview and a reader's feed (the archive
is digest/web/archive.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_http_methods

from digest.editions import paper_doc, topic_doc
from digest.embeddings import encoder_or_none, text_vectors
from digest.ingest.demo import DEMO_SOURCE
from digest.ingest.merge import FUTURE_TOLERANCE
from digest.library import held_papers
from digest.matching import ReaderProfile, match_profiles
from digest.models import Delivery, Paper, Source
from subscriptions import ratelimit
from subscriptions.forms import ChoicesForm, SignupForm
from subscriptions.models import Subscriber, Topic
from subscriptions.seeds import LibraryFields
from subscriptions.views import accept_signup, client_ip

HOME_PAPERS = 10
PREVIEW_DAYS = 7


def latest_trending_date() -> dt.date | None:
    """The newest Daily Papers day, never one more than a day ahead (a wrongly dated entry
    must not leave only itself on the home page)."""
    latest = timezone.localdate() + FUTURE_TOLERANCE
    papers = Paper.objects.filter(trending_date__lte=latest)
    return papers.aggregate(latest=Max("trending_date"))["latest"]


def papers_of(day: dt.date | None) -> list[Paper]:
    if day is None:
        return list(Paper.objects.trending()[:HOME_PAPERS])
    return list(Paper.objects.filter(trending_date=day).trending())


def preview_matches(
    *, topics: list[Topic], interests: str, exclusions: str, cap: int, liked: tuple = ()
) -> list:
    """What a digest with these choices (and these liked papers, from the visitor's library)
    would contain from the latest week, and why."""
    latest = latest_trending_date()
    if latest is None:
        return []
    week = Paper.objects.filter(
        trending_date__gt=latest - dt.timedelta(days=PREVIEW_DAYS), trending_date__lte=latest
    )
    papers = list(week)
    profile = ReaderProfile(
        topics=tuple(topic_doc(t) for t in topics),
        interests=interests.strip(),
        exclusions=exclusions.strip(),
        liked=tuple(p.canonical_id for p in liked),
        library=tuple(p.canonical_id for p in liked),
    )
    if not (profile.topics or profile.interests):
        return []
    by_id = {p.canonical_id: p for p in papers}
    # Papers already carry their vectors (embedded after ingest); the visitor's half-typed text
    # is embedded in memory and never stored.
    encoder = encoder_or_none()
    docs = [paper_doc(p, encoder) for p in papers]
    references = {p.canonical_id: paper_doc(p, encoder) for p in liked}
    [matches] = match_profiles(docs, [profile], references, cap, embed=text_vectors(store=False))
    return [{"paper": by_id[m.paper_id], "why": m.why} for m in matches]


def _liked_papers(data, files) -> list[Paper]:
    """Papers we hold among the visitor's pasted ids or uploaded file (nothing is stored)."""
    form = LibraryFields(data=data, files=files)
    form.is_valid()  # a bad line or file previews what else was readable
    refs = [*form.cleaned_data.get("papers", []), *form.cleaned_data.get("library_file", [])]
    return [p for p in dict.fromkeys(held_papers(refs, titles=False)) if p is not None]


def _preview_allowed(request: HttpRequest) -> bool:
    """Count one preview from the visitor's network; False past PREVIEW_RATE_PER_IP_PER_HOUR
    (each preview costs a matcher run: the cap keeps a script from making it a CPU sink)."""
    ip = client_ip(request)
    count = ratelimit.count_submission(ip=ip, now=timezone.now(), scope="preview") if ip else 0
    return count <= settings.PREVIEW_RATE_PER_IP_PER_HOUR


def _preview_from(data, files=None) -> tuple[list, bool]:
    """Preview rows for submitted choices; (rows, asked) where asked means choices were given."""
    form = ChoicesForm(data=data)
    form.is_valid()  # partial choices still preview: use whatever cleaned
    cleaned = form.cleaned_data
    topics = list(cleaned.get("topics") or [])
    interests = cleaned.get("interests") or ""
    asked = bool(topics or interests.strip())
    rows = preview_matches(
        topics=topics,
        interests=interests,
        exclusions=cleaned.get("exclusions") or "",
        cap=cleaned.get("max_papers") or 10,
        liked=_liked_papers(data, files),
    )
    return rows, asked


@require_http_methods(["GET", "HEAD", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """Today's papers first, and the compact sign-up form beside them with its live preview.

    The form posts here: a valid sign-up goes to "check your inbox"; an invalid one comes back
    on this same page (400) with an error summary, the fields outlined and the preview of what
    was chosen; a refused one (the IP limit) the same with a banner (429). The no-JavaScript
    "Preview my digest" button posts here too (a GET would put the address in the URL, and so
    in logs and history) and saves nothing."""
    day = latest_trending_date()
    status = 200
    files = request.FILES if request.method == "POST" else None
    rate_limited = preview_limited = False
    if request.method == "POST" and "preview" not in request.POST:
        form = SignupForm(request.POST, request.FILES)
        if form.is_valid():
            accepted = accept_signup(request, form)
            if accepted is not None:
                return accepted
            status, rate_limited = 429, True
        else:
            status = 400
        rows, asked = _preview_from(request.POST, files)
    else:
        data = request.POST if request.method == "POST" else request.GET
        rows, asked = [], False
        if "preview" in data and _preview_allowed(request):
            rows, asked = _preview_from(data, files)
        elif "preview" in data:
            status, preview_limited = 429, True
        initial = {**data.dict(), "topics": data.getlist("topics")} if asked else {}
        form = SignupForm(initial=initial)
    context = {
        "form": form,
        "action": reverse("digest:home"),
        "papers": papers_of(day)[:HOME_PAPERS],
        "day": day,
        "preview": rows,
        "preview_asked": asked,
        "show_preview": True,
        "rate_limited": rate_limited,
        "preview_limited": preview_limited,
        "nav": "today",
        # `make run`: the recorded demo day and no real source yet; the page says so.
        "demo": not Source.objects.filter(enabled=True).exists()
        and Source.objects.filter(name=DEMO_SOURCE).exists(),
    }
    response = render(request, "digest/home.html", context, status=status)
    if rate_limited or preview_limited:
        response["Retry-After"] = "3600"
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on pages that name no icon: the brand mark."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_http_methods(["GET", "HEAD", "POST"])
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview fragment the sign-up form fetches while a visitor chooses (a POST,
    with the CSRF token, when a library file is chosen: files do not fit in a URL)."""
    if not _preview_allowed(request):
        response = render(request, "digest/_preview.html", {"preview_limited": True}, status=429)
        response["Retry-After"] = "3600"
        return response
    if request.method == "POST":
        rows, asked = _preview_from(request.POST, request.FILES)
    else:
        rows, asked = _preview_from(request.GET)
    return render(request, "digest/_preview.html", {"preview": rows, "preview_asked": asked})


def reader_feed(request: HttpRequest, feed_key: str) -> HttpResponse:
    """A reader's own digest as an Atom feed, at a secret URL shown in their preferences."""
    subscriber = get_object_or_404(Subscriber, feed_key=feed_key)
    deliveries = (
        Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.SENT)
        .select_related("edition")
        .order_by("-sent_at")[:14]
    )
    entries = [(d, item) for d in deliveries for item in d.papers]
    papers = Paper.objects.in_bulk([item["id"] for _, item in entries], field_name="canonical_id")
    feed = Atom1Feed(
        title=f"{settings.SITE_NAME}: your trending papers",
        link=settings.SITE_URL + "/",
        description="The papers of your digests.",
        language="en",
        # SITE_URL, never the request's Host header: a forged Host must not re-point the feed.
        feed_url=settings.SITE_URL + request.path,
    )
    for delivery, item in entries:
        paper = papers.get(item["id"])
        if paper is None:
            continue
        feed.add_item(
            title=paper.display_title,
            link=paper.url or paper.hf_url or settings.SITE_URL,
            description=f"{item.get('why', '')}\n\n{paper.ai_summary or paper.abstract[:600]}",
            unique_id=f"{settings.SITE_URL}/feed/{delivery.pk}/{paper.canonical_id}",
            pubdate=delivery.sent_at,
            author_name=", ".join(paper.authors[:3]),
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    response.headers["X-Robots-Tag"] = "noindex"
    return response
