"""Vectors in the database: papers once after ingest, texts once, again when the model changes."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from digest import embeddings
from digest.matching.facets import background_texts
from digest.models import Paper, TextEmbedding
from tests.delivery.factories import make_paper

pytestmark = pytest.mark.django_db


class Counting:
    """The real encoder, counting the texts it is asked to embed."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.dimension = encoder.dimension
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return self.encoder.encode(texts)


@pytest.fixture
def counting(encoder, monkeypatch) -> Counting:
    wrapped = Counting(encoder)
    monkeypatch.setattr(embeddings, "encoder_or_none", lambda: wrapped)
    return wrapped


ASR_ABSTRACT = "We transcribe speech on a phone. Latency stays under 200 ms. It works."


def test_papers_are_embedded_once(counting: Counting) -> None:
    make_paper("Streaming ASR on device", abstract=ASR_ABSTRACT)
    make_paper("Protein binder design", abstract="De novo binders.")
    assert embeddings.embed_papers() == 2
    assert embeddings.embed_papers() == 0  # safe to run twice
    whole = {"Protein binder design. De novo binders.", f"Streaming ASR on device. {ASR_ABSTRACT}"}
    assert set(counting.texts[:2]) == whole
    # Then each title and abstract sentence of 4 words or more, apart.
    pieces = [
        "Streaming ASR on device",
        "We transcribe speech on a phone.",
        "Latency stays under 200 ms.",
        "Protein binder design",
    ]
    assert sorted(counting.texts[2:6]) == sorted(pieces)
    assert len(counting.texts) == 6 + len(background_texts())  # the background, once
    paper = Paper.objects.get(title="Streaming ASR on device")
    vector = embeddings.vector_of(paper, counting)
    assert vector is not None and vector.shape == (counting.dimension,)
    assert np.allclose(
        vector, counting.encoder.encode([f"Streaming ASR on device. {ASR_ABSTRACT}"])[0], atol=1e-5
    )
    rows = embeddings.sentence_vectors_of(paper, counting)
    assert rows.shape == (3, counting.dimension)
    assert np.allclose(rows, counting.encoder.encode(pieces[:3]), atol=2e-3)  # float16


def test_papers_embedded_before_sentences_existed_get_them(counting: Counting) -> None:
    paper = make_paper("Streaming ASR on device", abstract=ASR_ABSTRACT)
    embeddings.embed_papers()
    Paper.objects.update(sentence_embeddings=None)  # as the migration leaves stored papers
    paper.refresh_from_db()
    assert embeddings.sentence_vectors_of(paper, counting) is None
    assert embeddings.embed_papers() == 1
    paper.refresh_from_db()
    assert embeddings.sentence_vectors_of(paper, counting).shape == (3, counting.dimension)


def test_a_changed_model_invalidates_stored_vectors(counting: Counting) -> None:
    paper = make_paper("Streaming ASR on device", abstract="We transcribe speech.")
    embeddings.embed_papers()
    counting.name = "another-model"
    paper.refresh_from_db()
    assert embeddings.vector_of(paper, counting) is None  # never mixed with the new model's
    assert embeddings.sentence_vectors_of(paper, counting) is None
    assert embeddings.embed_papers() == 1
    paper.refresh_from_db()
    assert paper.embedding_model == "another-model"


def test_each_distinct_text_is_embedded_once(counting: Counting) -> None:
    vectors = embeddings.TextVectors(counting)
    first = vectors(["graph neural networks", "speech recognition", "graph neural networks"])
    again = vectors(["speech recognition", "graph neural networks"])
    assert counting.texts == ["graph neural networks", "speech recognition"]
    assert np.allclose(first[0], again[1]) and np.allclose(first[0], first[2])
    assert TextEmbedding.objects.filter(model=counting.name).count() == 2


def test_with_semantic_matching_off_nothing_is_embedded(settings, encoder) -> None:
    settings.SEMANTIC_MATCHING = False
    make_paper("Streaming ASR on device")
    assert embeddings.encoder_or_none() is None
    assert embeddings.embed_papers() == 0
    assert Paper.objects.filter(embedding__isnull=True).count() == 1


def test_a_model_path_that_does_not_load_stops_the_checks(settings, tmp_path) -> None:
    settings.EMBEDDING_MODEL_PATH = str(tmp_path)
    with pytest.raises(SystemCheckError, match=r"digest\.E010"):
        call_command("check")
    settings.SEMANTIC_MATCHING = False
    call_command("check")


def test_the_preview_never_stores_what_a_visitor_types(counting: Counting) -> None:
    embeddings.TextVectors(counting)(["graph neural networks"])
    preview = embeddings.TextVectors(counting, store=False)
    vectors = preview(["graph neural networks", "grap"])
    assert counting.texts == ["graph neural networks", "grap"]  # the known text came from the table
    assert vectors.shape == (2, counting.dimension)
    assert (
        not TextEmbedding.objects.filter(model=counting.name)
        .exclude(key__in=[embeddings.hashlib.sha256(b"graph neural networks").hexdigest()])
        .exists()
    )


def test_embedding_papers_also_embeds_the_background_once(counting: Counting) -> None:
    from digest.matching.facets import background_texts

    make_paper("Streaming ASR on device")
    embeddings.embed_papers()
    assert TextEmbedding.objects.filter(model=counting.name).count() == len(background_texts())
