"""The preferences centre's seeds and followed authors, and seeds given at sign-up."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from digest.models import Paper
from subscriptions import services
from subscriptions.models import Feedback, FollowedAuthor, LibraryEntry, Subscriber
from subscriptions.tokens import confirmation_token, subscriber_token
from tests import factories as f
from tests.subscriptions.helpers import signup_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader() -> Subscriber:
    return Subscriber.objects.create(
        email="ada@example.org", status=Subscriber.Status.ACTIVE, interests="robots"
    )


def manage(reader: Subscriber) -> str:
    return reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])


def held(arxiv_id: str, title: str, authors: list[str] | None = None) -> Paper:
    return Paper.objects.create(
        canonical_id=arxiv_id, arxiv_id=arxiv_id, title=title, authors=authors or []
    )


def test_pasted_ids_become_marks_shown_and_removable_like_the_others(
    reader, eager_tasks, django_capture_on_commit_callbacks
):
    held("2305.18290", "Direct Preference Optimization")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            manage(reader) + "library/",
            {"papers": "https://arxiv.org/abs/2305.18290v3\narXiv:2305.18290"},
        )

    page = client.get(manage(reader)).content.decode()
    assert "Added 1 paper from your library" in page
    assert "Direct Preference Optimization" in page
    assert "(from your library)" in page
    seed = Feedback.objects.get(subscriber=reader)
    assert (seed.value, seed.origin) == (1, "library")
    Client().post(manage(reader), {"action": "undo", "feedback_id": str(seed.pk)})
    assert not Feedback.objects.filter(subscriber=reader).exists()


def test_an_uploaded_bibtex_file_is_imported(
    reader, eager_tasks, django_capture_on_commit_callbacks
):
    held("1706.03762", "Attention Is All You Need")
    upload = SimpleUploadedFile(
        "My Library.bib", b"@article{v, title={Attention}, eprint={1706.03762}}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(manage(reader) + "library/", {"library_file": upload})

    assert Feedback.objects.filter(subscriber=reader, origin="library").count() == 1


def test_a_bad_file_gets_a_clear_error_keeps_the_pasted_text_and_adds_nothing(reader):
    upload = SimpleUploadedFile("x.bib", b"@misc{broken, title = {<b>never closed</b>,\n")

    response = Client().post(
        manage(reader) + "library/", {"papers": "2305.18290", "library_file": upload}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "line 1 is malformed" in page
    assert "2305.18290</textarea>" in page  # what was typed is still there
    assert not LibraryEntry.objects.exists()


def test_nothing_the_reader_pasted_is_shown_unescaped(reader):
    response = Client().post(manage(reader) + "library/", {"papers": "<script>alert(1)</script>"})

    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_titles_from_a_file_are_escaped_on_the_preferences_page(reader):
    LibraryEntry.objects.create(
        subscriber=reader, title="<img src=x onerror=alert(1)>", status="not_found"
    )

    page = Client().get(manage(reader)).content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Clear those not found" in page


def test_library_forms_need_a_genuine_manage_link():
    response = Client().post("/manage/forged-token/library/", {"papers": "2305.18290"})
    assert response.status_code == 400
    assert not LibraryEntry.objects.exists()


def test_an_unambiguous_author_is_followed_at_once(reader):
    held("2401.00001", "Engines", ["Ada Lovelace", "Charles Babbage"])

    response = Client().post(
        manage(reader) + "authors/", {"action": "check", "authors": "Lovelace, Ada"}, follow=True
    )

    assert "Following 1 more author" in response.content.decode()
    assert list(FollowedAuthor.objects.values_list("name", "key")) == [
        ("Ada Lovelace", "lovelace|ada")
    ]


def test_an_ambiguous_name_is_shown_with_example_papers_and_only_ticked_ones_are_saved(reader):
    held("2401.00001", "Notes on Engines", ["Ada Lovelace"])
    held("2401.00002", "Codebreaking at Scale", ["Alan Lovelace"])
    held("2401.00003", "Program Notes", ["Ada Lovelace"])

    response = Client().post(
        manage(reader) + "authors/", {"action": "check", "authors": "A. Lovelace\nAlan Turing"}
    )

    page = response.content.decode()
    assert "could be" in page
    assert "Notes on Engines" in page and "Codebreaking at Scale" in page
    assert not FollowedAuthor.objects.exists()  # nothing saved before the reader chooses
    Client().post(
        manage(reader) + "authors/", {"action": "save", "name": ["Alan Turing", "Ada Lovelace"]}
    )
    assert sorted(FollowedAuthor.objects.values_list("name", flat=True)) == [
        "Ada Lovelace",
        "Alan Turing",
    ]


def test_unfollowing_removes_only_the_readers_own_author(reader):
    other = Subscriber.objects.create(email="bob@example.org")
    mine = FollowedAuthor.objects.create(subscriber=reader, name="Ada Lovelace", key="k1")
    theirs = FollowedAuthor.objects.create(subscriber=other, name="Ada Lovelace", key="k1")

    Client().post(manage(reader) + "authors/", {"action": "unfollow", "author_id": str(theirs.pk)})
    Client().post(manage(reader) + "authors/", {"action": "unfollow", "author_id": "²"})
    assert FollowedAuthor.objects.count() == 2
    Client().post(manage(reader) + "authors/", {"action": "unfollow", "author_id": str(mine.pk)})
    assert list(FollowedAuthor.objects.all()) == [theirs]


def test_sign_up_seeds_wait_for_confirmation_then_become_marks(
    django_capture_on_commit_callbacks,
):
    held("2305.18290", "Direct Preference Optimization")
    data = signup_data(papers="2305.18290")
    response = Client(REMOTE_ADDR="203.0.113.9").post(reverse("subscriptions:signup"), data)
    assert response.status_code == 302
    [waiting] = LibraryEntry.objects.all()
    assert (waiting.email, waiting.status, waiting.subscriber) == (
        "ada@example.org",
        "waiting",
        None,
    )

    services.subscribe(
        email="ada@example.org",
        choices=f.make_choices(interests="robots"),
    )
    reader = Subscriber.objects.get()
    assert not Feedback.objects.exists()  # not before the owner confirms
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(confirmation_token(reader))

    seed = Feedback.objects.get(subscriber=reader)
    assert (seed.paper.canonical_id, seed.origin) == ("2305.18290", "library")
    assert not LibraryEntry.objects.exists()


def test_a_later_sign_up_replaces_the_seeds_an_earlier_one_left_waiting():
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.post(reverse("subscriptions:signup"), signup_data(papers="2305.18290"))
    client.post(reverse("subscriptions:signup"), signup_data(papers="1706.03762"))

    assert list(LibraryEntry.objects.values_list("arxiv_id", flat=True)) == ["1706.03762"]


def test_a_sign_up_with_a_bad_file_is_refused_with_the_reason():
    upload = SimpleUploadedFile("lib.bib", "@misc{a, title={Müller}}".encode("latin-1"))
    data = {**signup_data(), "library_file": upload}

    response = Client(REMOTE_ADDR="203.0.113.9").post(reverse("subscriptions:signup"), data)

    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()
    assert not Subscriber.objects.exists() and not LibraryEntry.objects.exists()
