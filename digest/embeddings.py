"""Vectors for matching: each paper embedded once after ingest, each distinct interest or topic
text once, both recomputed only when the model changes (its name holds a digest of the weights).

With SEMANTIC_MATCHING off (or no model to load) nothing is embedded and matching is lexical.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

import numpy as np
from django.conf import settings
from django.core import checks
from django.db.models import Q

from digest.matching.encoder import EmbeddingModelError, Encoder, load_encoder
from digest.matching.facets import background_texts
from digest.matching.sentences import embed_sentences, pack, unpack
from digest.models import Paper, TextEmbedding

log = logging.getLogger(__name__)
BATCH = 256


def encoder_or_none() -> Encoder | None:
    if not settings.SEMANTIC_MATCHING:
        return None
    return load_encoder(settings.EMBEDDING_MODEL_PATH)


def paper_text(paper: Paper) -> str:
    return f"{paper.display_title}. {paper.abstract}"


def vector_of(paper: Paper, encoder: Encoder | None) -> np.ndarray | None:
    if encoder is None or paper.embedding is None or paper.embedding_model != encoder.name:
        return None
    return np.frombuffer(bytes(paper.embedding), dtype=np.float32)


def sentence_vectors_of(paper: Paper, encoder: Encoder | None) -> np.ndarray | None:
    if vector_of(paper, encoder) is None or paper.sentence_embeddings is None:
        return None
    return unpack(paper.sentence_embeddings, encoder.dimension)


def embed_papers(papers: Iterable[Paper] | None = None) -> int:
    """Embed the papers (default: every paper) that have no vectors from the current model:
    "title. abstract" as one, and each sentence apart.

    Safe to run twice and from two workers at once: the second finds nothing left, or writes
    the same vector. Returns how many papers were embedded."""
    encoder = encoder_or_none()
    if encoder is None:
        return 0
    stale = (
        ~Q(embedding_model=encoder.name)
        | Q(embedding__isnull=True)
        | Q(sentence_embeddings__isnull=True)
    )
    if papers is None:
        queryset = Paper.objects.filter(stale)
    else:
        queryset = Paper.objects.filter(stale, pk__in=[p.pk for p in papers])
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(Paper.objects.filter(pk__in=ids[start : start + BATCH]))
        vectors = encoder.encode([paper_text(p) for p in batch])
        rows = embed_sentences(encoder.encode, [(p.display_title, p.abstract) for p in batch])
        for paper, vector, sentence_rows in zip(batch, vectors, rows, strict=True):
            paper.embedding = vector.astype(np.float32).tobytes()
            paper.sentence_embeddings = pack(sentence_rows)
            paper.embedding_model = encoder.name
        Paper.objects.bulk_update(batch, ["embedding", "sentence_embeddings", "embedding_model"])
    # The background papers every edition compares with: embedded here, not in a request.
    TextVectors(encoder)(background_texts())
    return len(ids)


class TextVectors:
    """The `embed` callable the matcher gets: texts -> vectors, through the TextEmbedding table.

    store=False (the live preview): known texts are read, a visitor's half-typed text is
    embedded in memory and never written."""

    def __init__(self, encoder: Encoder, *, store: bool = True) -> None:
        self.encoder = encoder
        self.store = store

    def __call__(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        rows = TextEmbedding.objects.filter(model=self.encoder.name, key__in=set(keys))
        found = {
            key: np.frombuffer(bytes(v), dtype=np.float32)
            for key, v in rows.values_list("key", "vector")
        }
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            texts_of = dict(zip(keys, texts, strict=True))
            vectors = self.encoder.encode([texts_of[k] for k in missing])
            if self.store:
                TextEmbedding.objects.bulk_create(
                    [
                        TextEmbedding(model=self.encoder.name, key=k, vector=v.tobytes())
                        for k, v in zip(missing, vectors, strict=True)
                    ],
                    ignore_conflicts=True,
                )
            found.update(zip(missing, vectors, strict=True))
        if not texts:
            return np.zeros((0, self.encoder.dimension), dtype=np.float32)
        return np.stack([found[k] for k in keys])


def text_vectors(*, store: bool = True) -> TextVectors | None:
    encoder = encoder_or_none()
    return TextVectors(encoder, store=store) if encoder is not None else None


@checks.register()
def embedding_model_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """SEMANTIC_MATCHING on needs a model folder that loads (named at start-up, not mid-edition)."""
    if not settings.SEMANTIC_MATCHING:
        return []
    try:
        encoder_or_none()
    except EmbeddingModelError as exc:
        return [
            checks.Error(
                str(exc),
                hint="Set EMBEDDING_MODEL_PATH to a local "
                "sentence-transformers folder, or SEMANTIC_MATCHING=off.",
                id="digest.E010",
            )
        ]
    return []
