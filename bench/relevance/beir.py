"""Reading a graded set in the BEIR layout, and the vectors of its papers.

    DIR/corpus.jsonl     {"_id", "title", "text", "metadata"?}
    DIR/queries.jsonl    {"_id", "text", "metadata"?}
    DIR/qrels/NAME.tsv   query-id <tab> corpus-id <tab> score   (header line)

Our own set adds optional metadata: a paper's `window` and a query's `window` (the query's
candidates are the papers of its window; without one, the whole corpus), `topics` (curated topic
slugs), `exclusions`, `liked` / `disliked` (paper ids) and `split`.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from digest.matching.profiles import PaperDoc
from digest.matching.sentences import embed_sentences


@dataclass
class Query:
    id: str
    text: str
    split: str
    window: str = ""
    topics: tuple[str, ...] = ()
    exclusions: str = ""
    liked: tuple[str, ...] = ()
    disliked: tuple[str, ...] = ()
    grades: dict[str, int] = field(default_factory=dict)


@dataclass
class Dataset:
    papers: dict[str, PaperDoc]
    windows: dict[str, str]  # paper id -> window ("" when the set has none)
    queries: list[Query]
    # Re-ranking: a query's candidates are only the papers graded for it (benchmarks that give
    # each query its own candidate list), not the whole corpus (or window).
    rerank: bool = False

    def candidates(self, query: Query) -> list[PaperDoc]:
        marked = {*query.liked, *query.disliked}
        return [
            p
            for pid, p in self.papers.items()
            if pid not in marked
            and (not query.window or self.windows[pid] == query.window)
            and (not self.rerank or pid in query.grades)
        ]


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(directory: str | Path, *, more_like_this: bool = False, rerank: bool = False) -> Dataset:
    """A BEIR folder; every qrels/*.tsv file is a split named after it.

    more_like_this: each query id is a corpus paper the reader marked "more like this" (the
    query text is ignored), as in paper-similarity benchmarks. rerank: each query is matched
    against only the papers its qrels grade (Dataset.rerank)."""
    root = Path(directory)
    papers, windows = {}, {}
    for row in _jsonl(root / "corpus.jsonl"):
        pid = str(row["_id"])
        meta = row.get("metadata") or {}
        papers[pid] = PaperDoc(
            id=pid,
            title=row.get("title") or "",
            abstract=row.get("text") or "",
            categories=tuple(meta.get("categories") or ()),
        )
        windows[pid] = meta.get("window", "")
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    split_of: dict[str, str] = {}
    for tsv in sorted((root / "qrels").glob("*.tsv")):
        with tsv.open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                grades[row["query-id"]][row["corpus-id"]] = int(row["score"])
                split_of[row["query-id"]] = tsv.stem
    queries = []
    for row in _jsonl(root / "queries.jsonl"):
        qid = str(row["_id"])
        if qid not in grades:
            continue
        meta = row.get("metadata") or {}
        liked = (qid,) if more_like_this else tuple(meta.get("liked") or ())
        queries.append(
            Query(
                id=qid,
                text="" if more_like_this else row.get("text") or "",
                split=meta.get("split") or split_of[qid],
                window=meta.get("window", ""),
                topics=tuple(meta.get("topics") or ()),
                exclusions=meta.get("exclusions") or "",
                liked=liked,
                disliked=tuple(meta.get("disliked") or ()),
                grades=grades[qid],
            )
        )
    return Dataset(papers, windows, queries, rerank)


class VectorCache:
    """Sentence vectors of texts, computed once per model and kept in one .npz file."""

    def __init__(self, path: Path, encoder) -> None:
        self.path = path
        self.encoder = encoder
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.vectors = {k: data[k] for k in data.files}
        self.dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def __call__(self, texts: list[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self.vectors]
        if missing:
            new = self.encoder.encode([texts[i] for i in missing])
            for i, vector in zip(missing, new, strict=True):
                self.vectors[keys[i]] = vector
            self.dirty = True
        if not texts:
            return np.zeros((0, self.encoder.dimension), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys])

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, **self.vectors)
            self.dirty = False


def paper_text(paper: PaperDoc) -> str:
    """What is embedded for a paper: the same text ingest embeds (digest/embeddings.py)."""
    return f"{paper.title}. {paper.abstract}"


def with_vectors(dataset: Dataset, embed: Callable[[list[str]], np.ndarray]) -> Dataset:
    """Each paper with its vector and its sentence vectors, as ingest stores them."""
    ids = list(dataset.papers)
    vectors = embed([paper_text(dataset.papers[i]) for i in ids])
    rows = embed_sentences(
        embed, [(dataset.papers[i].title, dataset.papers[i].abstract) for i in ids]
    )
    papers = {
        i: replace(dataset.papers[i], vector=v, sentence_vectors=r)
        for i, v, r in zip(ids, vectors, rows, strict=True)
    }
    return replace(dataset, papers=papers)
