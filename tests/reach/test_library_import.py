"""Seeds become "more like this" marks: papers we hold at once, the others from the arXiv API."""

from __future__ import annotations

import datetime as dt

import pytest

from digest import library
from digest.editions import candidate_papers
from digest.ingest.sources.records import RateLimited
from digest.models import IngestRun, Paper
from subscriptions import seeds
from subscriptions.library import Ref
from subscriptions.models import Feedback, LibraryEntry, Subscriber
from tests.reach.conftest import RECORDED

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader() -> Subscriber:
    return Subscriber.objects.create(email="ada@example.org", status=Subscriber.Status.ACTIVE)


def held(arxiv_id: str, title: str, **fields) -> Paper:
    return Paper.objects.create(canonical_id=arxiv_id, arxiv_id=arxiv_id, title=title, **fields)


def marks(reader: Subscriber) -> dict[str, tuple[int, str]]:
    rows = Feedback.objects.filter(subscriber=reader)
    return {f.paper.canonical_id: (f.value, f.origin) for f in rows.select_related("paper")}


def test_papers_we_hold_are_marked_by_arxiv_id_doi_or_title(reader: Subscriber) -> None:
    held("2401.00001", "Graph Transformers")
    held("2401.00002", "Some Journal Paper", doi="10.1145/abc.1")
    held("2401.00003", "Learning to Walk: A Study")
    refs = [
        Ref(arxiv_id="2401.00001"),
        Ref(doi="10.1145/abc.1"),
        Ref(title="learning to walk -- a study"),
        Ref(title="A paper nobody holds"),
    ]
    seeds.add_entries(subscriber_id=reader.pk, refs=refs)

    assert library.resolve(subscriber_id=reader.pk) == []

    assert marks(reader) == {
        "2401.00001": (1, "library"),
        "2401.00002": (1, "library"),
        "2401.00003": (1, "library"),
    }
    [left] = LibraryEntry.objects.filter(subscriber=reader)
    assert (left.title, left.status) == ("A paper nobody holds", "not_found")


def test_a_paper_the_reader_already_marked_keeps_their_mark(reader: Subscriber) -> None:
    paper = held("2401.00001", "Graph Transformers")
    Feedback.objects.create(subscriber=reader, paper=paper, value=Feedback.LESS)
    seeds.add_entries(subscriber_id=reader.pk, refs=[Ref(arxiv_id="2401.00001")])

    library.import_library(subscriber_id=reader.pk)

    assert marks(reader) == {"2401.00001": (-1, "digest")}


def test_unknown_arxiv_ids_are_fetched_from_the_api_and_marked(
    reader: Subscriber, arxiv_api
) -> None:
    refs = [Ref(arxiv_id="2305.18290"), Ref(arxiv_id="1910.10897"), Ref(arxiv_id="2999.99999")]
    seeds.add_entries(subscriber_id=reader.pk, refs=refs)

    result = library.import_library(subscriber_id=reader.pk)

    assert result == {"asked": 3, "fetched": 2, "marks": 2}
    assert arxiv_api.requests == [
        "/api/query?id_list=1910.10897%2C2305.18290%2C2999.99999&max_results=3"
    ]
    assert marks(reader) == {"2305.18290": (1, "library"), "1910.10897": (1, "library")}
    # Only the papers asked for are stored, though the answer held more.
    assert set(Paper.objects.values_list("canonical_id", flat=True)) == {"2305.18290", "1910.10897"}
    dpo = Paper.objects.get(canonical_id="2305.18290")
    assert dpo.title.startswith("Direct Preference Optimization")
    assert dpo.authors[0] == "Rafael Rafailov"
    [missing] = LibraryEntry.objects.filter(subscriber=reader)
    assert (missing.arxiv_id, missing.status) == ("2999.99999", "not_found")
    assert IngestRun.objects.get().label == "library seeds (arXiv API)"


def test_a_fetched_seed_is_dated_by_publication_so_no_digest_counts_it_as_new(
    reader: Subscriber, arxiv_api
) -> None:
    seeds.add_entries(subscriber_id=reader.pk, refs=[Ref(arxiv_id="2305.18290")])
    library.import_library(subscriber_id=reader.pk)

    dpo = Paper.objects.get(canonical_id="2305.18290")
    assert dpo.first_seen_at == dpo.published_at
    assert dpo.published_at.year == 2023
    today = dt.date.today()
    assert not candidate_papers(frequency="weekly", date=today).filter(pk=dpo.pk).exists()


def test_importing_twice_changes_nothing_and_asks_arxiv_once(reader: Subscriber, arxiv_api) -> None:
    seeds.add_entries(subscriber_id=reader.pk, refs=[Ref(arxiv_id="2305.18290")])
    library.import_library(subscriber_id=reader.pk)
    first = marks(reader)

    again = library.import_library(subscriber_id=reader.pk)

    assert marks(reader) == first
    assert again == {"asked": 0, "fetched": 0, "marks": 1}
    assert len(arxiv_api.requests) == 1


def test_arxiv_saying_slow_down_loses_no_entry(reader: Subscriber, arxiv_api) -> None:
    arxiv_api.answer_with = b"Rate exceeded."
    seeds.add_entries(subscriber_id=reader.pk, refs=[Ref(arxiv_id="2305.18290")])

    with pytest.raises(RateLimited):
        library.import_library(subscriber_id=reader.pk)

    [entry] = LibraryEntry.objects.filter(subscriber=reader)
    assert entry.status == "pending"  # the task retries later
    arxiv_api.answer_with = RECORDED
    library.import_library(subscriber_id=reader.pk)
    assert marks(reader) == {"2305.18290": (1, "library")}
