"""A paper's closest sentence: how near a reader's words come to any one thing the paper says.

A whole-abstract vector averages everything a paper says; a reader who wants one of those things
("protein design") is nearer to one sentence ("we generate de novo binders ...") than to the
average. Each paper's title and abstract sentences are embedded apart once, at ingest, and the
order of a reader's list counts the best of those cosines (engine.py: SENTENCE_BETA). Scoring a
passage by its best part is "MaxP" (Dai and Callan, SIGIR 2019); on development readers it
moved our nDCG@10 0.773 -> 0.783 out of fold (docs/relevance.md, session 10).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from digest.matching.profiles import PaperDoc

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
MIN_WORDS = 4  # shorter pieces say little on their own ("Results.", "Code is public.")
FACET_BLOCK = 256  # facets per product: 256 x 20,000 sentences of 2,000 papers = 20 MB


def sentences(title: str, abstract: str) -> list[str]:
    """The title and each abstract sentence of at least MIN_WORDS words (never empty)."""
    title = " ".join(title.split())
    parts = _SENTENCE_END.split(" ".join(abstract.split()))
    found = [title] if title else []
    found += [s for s in parts if len(s.split()) >= MIN_WORDS]
    return found or [abstract.strip() or "(untitled)"]


def pack(vectors: np.ndarray) -> bytes:
    """Stored as float16: ~8 KB a paper instead of ~15 (cosines move by < 0.001)."""
    return np.asarray(vectors, dtype=np.float16).tobytes()


def unpack(stored: bytes, dimension: int) -> np.ndarray:
    return np.frombuffer(bytes(stored), dtype=np.float16).reshape(-1, dimension).astype(np.float32)


def embed_sentences(encode, papers: Sequence[tuple[str, str]]) -> list[np.ndarray]:
    """For each (title, abstract), its sentences' unit vectors, rounded as they are stored."""
    pieces = [sentences(title, abstract) for title, abstract in papers]
    flat = encode([s for piece in pieces for s in piece])
    flat = unpack(pack(flat), flat.shape[1])
    ends = np.cumsum([len(piece) for piece in pieces])
    return [flat[end - len(piece) : end] for piece, end in zip(pieces, ends, strict=True)]


class SentenceIndex:
    """Every sentence vector of the edition's papers, in paper order."""

    def __init__(self, papers: Sequence[PaperDoc]) -> None:
        blocks = [np.asarray(p.sentence_vectors, dtype=np.float32) for p in papers]
        self.vectors = np.vstack(blocks)
        self.starts = np.cumsum([0, *(len(b) for b in blocks[:-1])])

    @classmethod
    def of(cls, papers: Sequence[PaperDoc]) -> SentenceIndex | None:
        """None unless every paper has its sentence vectors (then the order ignores them)."""
        ok = all(p.sentence_vectors is not None and len(p.sentence_vectors) for p in papers)
        return cls(papers) if papers and ok else None

    def closest(self, vectors: np.ndarray) -> np.ndarray:
        """(facets, papers): each facet's highest cosine with any sentence of each paper."""
        out = np.empty((len(vectors), len(self.starts)), dtype=np.float32)
        for s in range(0, len(vectors), FACET_BLOCK):
            block = vectors[s : s + FACET_BLOCK] @ self.vectors.T
            out[s : s + FACET_BLOCK] = np.maximum.reduceat(block, self.starts, axis=1)
        return out
