"""The preferences centre's "papers you like" and "authors you follow" (the manage page,
templates/subscriptions/_library.html, posts here; the signed manage token is the credential).

Seeds: the form is checked here (subscriptions/seeds.py) and the entries stored; their
`seeds_added` signal queues the import (digest/receivers.py -> digest.tasks.ingest_library).
Authors: a name that papers we hold print in more than one way ("J. Smith": Jane Smith, John
Smith) is shown with example papers, and only the spellings the reader ticks are saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from digest.models import Paper
from subscriptions import seeds
from subscriptions.authors import AuthorError, name_key, parse_authors, same_author, surname_of
from subscriptions.library import MAX_ENTRIES
from subscriptions.models import LibraryEntry, Subscriber
from subscriptions.tokens import InvalidToken, subscriber_id_from

SCAN_PAPERS = 50_000  # the most recent papers searched for a name's spellings
EXAMPLES = 3
AUTHOR_ID_DIGITS = 18


def _reader(token: str) -> Subscriber | None:
    try:
        return Subscriber.objects.filter(pk=subscriber_id_from("manage", token)).first()
    except InvalidToken:
        return None


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/invalid_link.html", status=400)


def _back(token: str) -> HttpResponse:
    return redirect(reverse("subscriptions:manage", args=[token]))


@require_POST
def library(request: HttpRequest, token: str) -> HttpResponse:
    reader = _reader(token)
    if reader is None:
        return _invalid(request)
    if request.POST.get("action") == "clear_not_found":
        seeds.clear_not_found(subscriber_id=reader.pk)
        messages.success(request, "Cleared the papers we could not find.")
        return _back(token)
    form = seeds.LibraryForm(request.POST, request.FILES)
    if form.is_valid():
        refs = form.refs()
        pending = LibraryEntry.objects.filter(
            subscriber=reader, status=LibraryEntry.Status.PENDING
        ).count()
        if pending + len(refs) > MAX_ENTRIES:
            form.add_error(
                None,
                f"We are still looking up {pending} of your papers; add more once they "
                "are done (a few minutes).",
            )
        else:
            added = seeds.add_entries(subscriber_id=reader.pk, refs=refs)
            messages.success(
                request,
                f"Added {added} paper{'s' if added != 1 else ''} from your library; they appear "
                "under “more like this” as we find them."
                if added
                else "Those papers are already in your list.",
            )
            return _back(token)
    context = {"form": form, "manage_path": reverse("subscriptions:manage", args=[token])}
    return render(request, "digest/library_form.html", context, status=400)


def spellings(names: list[str]) -> dict[str, dict[str, list[str]]]:
    """For each name, how papers we hold print the authors it would follow -> a few titles
    (one pass over the most recent papers, however many names)."""
    keys = {name: name_key(name) for name in names}
    tails = {name: surname_of(key).replace(" ", "")[-3:] for name, key in keys.items()}
    found: dict[str, dict[str, tuple[str, list[str]]]] = {name: {} for name in names}
    recent = Paper.objects.order_by("-pk").values_list("title", "title_display", "authors")
    for title, display, authors in recent[:SCAN_PAPERS].iterator(chunk_size=2000):
        for author in authors or ():
            if not isinstance(author, str):
                continue
            lowered, plain = author.lower(), author.isascii()
            for name, key in keys.items():
                # The surname's last letters first: a cheap test before the full comparison.
                if (tails[name] in lowered or not plain) and same_author(key, author):
                    _, titles = found[name].setdefault(name_key(author), (author, []))
                    if len(titles) < EXAMPLES:
                        titles.append(display or title)
    return {name: dict(variants.values()) for name, variants in found.items()}


@require_POST
def authors(request: HttpRequest, token: str) -> HttpResponse:
    reader = _reader(token)
    if reader is None:
        return _invalid(request)
    action = request.POST.get("action", "")
    if action == "unfollow":
        author_id = request.POST.get("author_id", "")
        valid = author_id.isascii() and author_id.isdigit() and len(author_id) <= AUTHOR_ID_DIGITS
        if valid and seeds.unfollow(subscriber_id=reader.pk, author_id=int(author_id)):
            messages.success(request, "Unfollowed.")
        return _back(token)
    if action == "save":  # the reader ticked spellings of ambiguous names
        try:
            names = parse_authors("\n".join(request.POST.getlist("name")))
        except AuthorError as error:
            messages.error(request, str(error))
            return _back(token)
        return _saved(request, token, reader, names)
    form = seeds.AuthorsForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "manage_path": reverse("subscriptions:manage", args=[token])}
        return render(request, "digest/follow_authors.html", context, status=400)
    names = form.cleaned_data["authors"]
    clear, unclear = [], []
    for name, found in spellings(names).items():
        if len(found) > 1:
            unclear.append({"typed": name, "spellings": sorted(found.items())})
        else:
            clear.append(name)
    if not unclear:
        return _saved(request, token, reader, clear)
    context = {
        "clear": clear,
        "unclear": unclear,
        "manage_path": reverse("subscriptions:manage", args=[token]),
    }
    return render(request, "digest/follow_authors.html", context)


def _saved(request: HttpRequest, token: str, reader: Subscriber, names: list[str]) -> HttpResponse:
    if names:
        added = seeds.follow(subscriber_id=reader.pk, names=names)
        messages.success(
            request,
            f"Following {added} more author{'s' if added != 1 else ''}. Their papers are in "
            "your digest whatever else it holds.",
        )
    return _back(token)
