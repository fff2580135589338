"""A reader's library seeds and followed authors: what is stored, and the forms that take them.

Seeds arrive from the sign-up form (held against the address until its owner confirms: an
anonymous form never changes a reader's marks, as with subscriptions.services' pending
choices; the latest sign-up's list replaces an earlier one) or from the preferences centre.
The digest side (digest/library.py) turns entries into "more like this" marks.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from subscriptions.addresses import InvalidAddress, normalize_address
from subscriptions.authors import AuthorError, name_key, parse_authors
from subscriptions.library import MAX_FILE_BYTES, LibraryError, Ref, parse_pasted, read_file
from subscriptions.models import FollowedAuthor, LibraryEntry

Status = LibraryEntry.Status

# Sent after commit with `subscriber_id` when a reader added seeds to look up; digest connects
# the import task (digest/receivers.py), as it does for subscriptions.signals.reader_confirmed.
seeds_added = Signal()


class LibraryFields(forms.Form):
    """Pasted ids and links, and/or a BibTeX or RIS file. `refs()` after is_valid()."""

    papers = forms.CharField(
        label="Papers you like",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="arXiv ids or links (abs, pdf, Hugging Face), or DOIs; one a line.",
    )
    library_file = forms.FileField(
        label="Or upload a BibTeX or RIS file",
        required=False,
        help_text="A Zotero or Mendeley export, up to 1 MB and 500 papers.",
        widget=forms.ClearableFileInput(attrs={"accept": ".bib,.ris,.txt,.bibtex"}),
    )

    def clean_papers(self) -> list[Ref]:
        try:
            return parse_pasted(self.cleaned_data.get("papers") or "")
        except LibraryError as error:
            raise forms.ValidationError(str(error), code="library") from error

    def clean_library_file(self) -> list[Ref]:
        upload = self.cleaned_data.get("library_file")
        if not upload:
            return []
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB.", code="library")
        try:
            return read_file(upload.read(), name=upload.name or "")
        except LibraryError as error:
            raise forms.ValidationError(str(error), code="library") from error

    def refs(self) -> list[Ref]:
        data = self.cleaned_data
        return list(dict.fromkeys([*data.get("papers", []), *data.get("library_file", [])]))


class LibraryForm(LibraryFields):
    """The preferences centre's form: something must be given."""

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not self.refs():
            raise forms.ValidationError("Paste at least one id or link, or choose a file.")
        return data


class AuthorsForm(forms.Form):
    authors = forms.CharField(
        label="Authors to follow",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One a line, as arXiv prints them, e.g. Ada Lovelace.",
    )

    def clean_authors(self) -> list[str]:
        try:
            names = parse_authors(self.cleaned_data["authors"])
        except AuthorError as error:
            raise forms.ValidationError(str(error), code="authors") from error
        if not names:
            raise forms.ValidationError("Give at least one name.", code="authors")
        return names


def _entries(refs: list[Ref], **fields: object) -> list[LibraryEntry]:
    return [LibraryEntry(arxiv_id=r.arxiv_id, doi=r.doi, title=r.title, **fields) for r in refs]


def hold_for_confirmation(*, email: str, refs: list[Ref]) -> None:
    """A sign-up's seeds, waiting for the address's owner to confirm. The same queries for
    every address (known or not), so timing tells nobody who subscribes."""
    try:
        email = normalize_address(email)
    except InvalidAddress:
        return
    stale = timezone.now() - dt.timedelta(days=settings.CONFIRMATION_MAX_AGE_DAYS)
    with transaction.atomic():
        waiting = LibraryEntry.objects.filter(status=Status.WAITING, subscriber=None)
        waiting.filter(email=email).delete()
        waiting.filter(created_at__lt=stale).delete()
        LibraryEntry.objects.bulk_create(_entries(refs, email=email, status=Status.WAITING))


def attach_waiting(*, subscriber_id: int, email: str) -> int:
    """On confirmation: the sign-up's waiting seeds become the reader's, to be looked up."""
    stale = timezone.now() - dt.timedelta(days=settings.CONFIRMATION_MAX_AGE_DAYS)
    return LibraryEntry.objects.filter(
        status=Status.WAITING, subscriber=None, email=email, created_at__gte=stale
    ).update(subscriber_id=subscriber_id, email="", status=Status.PENDING)


def add_entries(*, subscriber_id: int, refs: list[Ref]) -> int:
    """Seeds from the preferences centre, to be looked up; repeats of waiting ones are skipped."""
    known = set(
        LibraryEntry.objects.filter(subscriber_id=subscriber_id).values_list(
            "arxiv_id", "doi", "title"
        )
    )
    new = [r for r in refs if (r.arxiv_id, r.doi, r.title) not in known]
    LibraryEntry.objects.filter(subscriber_id=subscriber_id, status=Status.NOT_FOUND).filter(
        arxiv_id__in=[r.arxiv_id for r in refs if r.arxiv_id]
    ).update(status=Status.PENDING)
    LibraryEntry.objects.bulk_create(_entries(new, subscriber_id=subscriber_id))
    transaction.on_commit(
        lambda: seeds_added.send(sender=LibraryEntry, subscriber_id=subscriber_id)
    )
    return len(new)


def clear_not_found(*, subscriber_id: int) -> int:
    deleted, _ = LibraryEntry.objects.filter(
        subscriber_id=subscriber_id, status=Status.NOT_FOUND
    ).delete()
    return deleted


def follow(*, subscriber_id: int, names: list[str]) -> int:
    rows = [FollowedAuthor(subscriber_id=subscriber_id, name=n, key=name_key(n)) for n in names]
    before = FollowedAuthor.objects.filter(subscriber_id=subscriber_id).count()
    FollowedAuthor.objects.bulk_create(rows, ignore_conflicts=True)
    return FollowedAuthor.objects.filter(subscriber_id=subscriber_id).count() - before


def unfollow(*, subscriber_id: int, author_id: int) -> bool:
    deleted, _ = FollowedAuthor.objects.filter(pk=author_id, subscriber_id=subscriber_id).delete()
    return bool(deleted)
