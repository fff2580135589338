"""Papers by followed authors are in the digest whatever their score, and say why."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.editions import match_readers
from digest.models import Delivery, Edition, Paper, SentPaper
from subscriptions.models import Feedback, FollowedAuthor, Subscriber

pytestmark = pytest.mark.django_db


def paper(arxiv_id: str, title: str, authors: list[str], abstract: str = "") -> Paper:
    return Paper.objects.create(
        canonical_id=arxiv_id, arxiv_id=arxiv_id, title=title, abstract=abstract, authors=authors
    )


@pytest.fixture
def reader() -> Subscriber:
    reader = Subscriber.objects.create(
        email="ada@example.org", status="active", interests="robot grasping", max_papers=3
    )
    FollowedAuthor.objects.create(subscriber=reader, name="José Pérez", key="perez|jose")
    return reader


def test_a_followed_authors_paper_comes_first_whatever_its_score(reader) -> None:
    papers = [
        paper(
            "2401.00001",
            "Robot grasping with tactile sensing",
            ["Kim Lee"],
            "We study robot grasping.",
        ),
        paper(
            "2401.00002",
            "Medieval tax records of Castile",
            ["J. Perez", "Ana Ruiz"],
            "An archival study of taxes.",
        ),
        paper("2401.00003", "Soil chemistry", ["Jorge Perez"], "Soil."),
    ]

    digest = match_readers(readers=Subscriber.objects.filter(pk=reader.pk), candidates=papers)

    items = digest[reader.pk]
    assert items[0]["id"] == "2401.00002"
    assert items[0]["why"] == "by José Pérez, whom you follow"
    assert "2401.00003" not in [i["id"] for i in items]  # another Pérez
    assert "2401.00001" in [i["id"] for i in items]


def test_a_followed_paper_that_also_matches_gives_both_reasons(reader) -> None:
    papers = [
        paper(
            "2401.00001",
            "Robot grasping in clutter",
            ["Jose Perez"],
            "Robot grasping of objects in clutter.",
        )
    ]

    [item] = match_readers(readers=Subscriber.objects.filter(pk=reader.pk), candidates=papers)[
        reader.pk
    ]

    assert item["why"].startswith("by José Pérez, whom you follow; ")
    assert len(item["why"]) > len("by José Pérez, whom you follow; ")


def test_followed_papers_already_sent_or_marked_are_left_out(reader) -> None:
    sent = paper("2401.00001", "A", ["José Pérez"])
    marked = paper("2401.00002", "B", ["José Pérez"])
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    edition = Edition.objects.create(
        frequency="daily", date=start.date(), window_start=start, window_end=start
    )
    delivery = Delivery.objects.create(subscriber=reader, edition=edition)
    SentPaper.objects.create(subscriber=reader, paper=sent, delivery=delivery)
    Feedback.objects.create(subscriber=reader, paper=marked, value=Feedback.LESS)

    digest = match_readers(
        readers=Subscriber.objects.filter(pk=reader.pk), candidates=[sent, marked]
    )

    assert digest[reader.pk] == []


def test_readers_who_follow_nobody_get_exactly_the_matches(reader) -> None:
    other = Subscriber.objects.create(
        email="bob@example.org", status="active", interests="robot grasping", max_papers=3
    )
    papers = [paper("2401.00002", "Medieval tax records", ["José Pérez"], "Taxes.")]

    digest = match_readers(readers=Subscriber.objects.filter(pk=other.pk), candidates=papers)

    assert digest[other.pk] == []
