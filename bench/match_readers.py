"""Scale benchmark: every reader's list for a large synthetic edition, timed end to end.

Papers are stitched from random 3-8 word spans of the seed abstracts (so they have realistic
phrases and term statistics), with lognormal trending scores. Readers pick 1-4 curated topics
(popularity skewed like real sign-ups), about half add one or two short phrases of their own from
a pool of a few thousand, about 10% exclude a phrase and 5% have marked papers.

What is timed: grouping identical readers (numpy unique over reader keys), building the distinct
profiles, fitting the Matcher on the papers, and match_profiles() for all distinct profiles,
Match objects and reasons included, semantic part included (the bundled MiniLM, each paper's
sentences too). Readers then share their group's list (no copies). Reported apart, because
they happen once and not per edition: embedding the papers and their sentences (what ingest
does, `seconds_embed_papers`) and the distinct interest and topic texts (incremental in
production: only new texts, `seconds_embed_texts`).

Memory: peak resident set size from resource.getrusage (ru_maxrss), reported as the process peak
and as the increase over the RSS measured just before the timed part. tracemalloc is not used: it
does not see most numpy buffers cheaply and slows numpy-heavy code by an order of magnitude.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from digest.matching.encoder import load_encoder
from digest.matching.engine import Matcher
from digest.matching.facets import background_texts, positive_facets
from digest.matching.profiles import PaperDoc, ReaderProfile
from digest.matching.sentences import embed_sentences
from digest.matching.topics import load_topics

SEED_PAPERS = Path(__file__).parent / "relevance" / "eval_papers.json"
PHRASE_POOL = 3000
EXCLUSION_POOL = 200


def _peak_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # Linux reports KiB, macOS bytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _seed_words(path: Path) -> list[str]:
    entries = json.loads(path.read_text(encoding="utf-8"))
    return " ".join(f"{e['title']}. {e['abstract']}" for e in entries).split()


def synthetic_papers(count: int, rng: np.random.Generator, words: list[str]) -> list[PaperDoc]:
    def span(low: int, high: int) -> str:
        start = int(rng.integers(0, len(words) - high))
        return " ".join(words[start : start + int(rng.integers(low, high))])

    categories = ["cs.LG", "cs.CL", "cs.CV", "cs.RO", "cs.AI", "stat.ML", "cs.IR", "cs.SE"]
    trending = rng.lognormal(mean=2.0, sigma=1.2, size=count)
    return [
        PaperDoc(
            id=f"synthetic-{i}",
            title=span(6, 12),
            abstract=" ".join(span(3, 9) for _ in range(int(rng.integers(18, 30)))),
            categories=tuple(rng.choice(categories, size=2, replace=False).tolist()),
            trending_score=float(trending[i]),
        )
        for i in range(count)
    ]


def synthetic_readers(
    count: int, rng: np.random.Generator, topics: int, phrases: int, papers: int
) -> np.ndarray:
    """One row per reader: 4 topic slots, 2 phrase slots, exclusion, liked paper (-1 = none)."""
    popularity = 1.0 / np.arange(1, topics + 1) ** 0.8
    popularity /= popularity.sum()
    keys = np.full((count, 8), -1, dtype=np.int32)
    # Most people pick one or two topics; few pick four.
    n_topics = rng.choice([1, 2, 3, 4], size=count, p=[0.4, 0.3, 0.2, 0.1])
    picks = rng.choice(topics, size=(count, 4), p=popularity)
    picks = np.sort(np.where(np.arange(4) < n_topics[:, None], picks, topics), axis=1)
    keys[:, :4] = np.where(picks == topics, -1, picks)
    # Typed phrases are Zipf-popular too: many people write "LLM agents", few "bisimulation".
    phrase_popularity = 1.0 / np.arange(1, phrases + 1)
    phrase_popularity /= phrase_popularity.sum()
    own = rng.random(count) < 0.5
    keys[own, 4] = rng.choice(phrases, size=own.sum(), p=phrase_popularity)
    two = own & (rng.random(count) < 0.2)
    keys[two, 5] = rng.choice(phrases, size=two.sum(), p=phrase_popularity)
    excluding = rng.random(count) < 0.1
    keys[excluding, 6] = rng.integers(0, EXCLUSION_POOL, size=excluding.sum())
    liking = rng.random(count) < 0.05
    keys[liking, 7] = rng.integers(0, papers, size=liking.sum())
    return keys


def run_match_benchmark(readers: int, papers: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    words = _seed_words(SEED_PAPERS)
    docs = synthetic_papers(papers, rng, words)
    topics = list(load_topics().values())
    phrase_pool = [
        " ".join(words[s : s + int(rng.integers(2, 5))])
        for s in rng.integers(0, len(words) - 5, size=PHRASE_POOL)
    ]
    exclusion_pool = [
        " ".join(words[s : s + 2]) for s in rng.integers(0, len(words) - 2, size=EXCLUSION_POOL)
    ]
    keys = synthetic_readers(readers, rng, len(topics), PHRASE_POOL, papers)
    rss_before = _current_rss_mb()

    started = time.perf_counter()
    order = np.lexsort(keys.T[::-1])
    ordered = keys[order]
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    distinct = ordered[starts]
    reader_group = np.empty(len(keys), dtype=np.int64)
    reader_group[order] = np.cumsum(starts) - 1
    profiles = [
        ReaderProfile(
            topics=tuple(topics[t] for t in row[:4] if t >= 0),
            interests=", ".join(phrase_pool[p] for p in row[4:6] if p >= 0),
            exclusions=exclusion_pool[row[6]] if row[6] >= 0 else "",
            liked=(docs[row[7]].id,) if row[7] >= 0 else (),
        )
        for row in distinct.tolist()
    ]
    grouped = time.perf_counter()
    encoder = load_encoder()
    embed_start = time.perf_counter()
    vectors = encoder.encode([f"{d.title}. {d.abstract}" for d in docs])
    pairs = [(d.title, d.abstract) for d in docs]
    rows = [  # in ingest's batches of papers (digest/embeddings.py)
        r
        for b in range(0, len(pairs), 256)
        for r in embed_sentences(encoder.encode, pairs[b : b + 256])
    ]
    docs = [
        replace(d, vector=v, sentence_vectors=r)
        for d, v, r in zip(docs, vectors, rows, strict=True)
    ]
    embedded = time.perf_counter()
    texts = {
        f.text
        for p in profiles
        for f in positive_facets(p, {d.id: d for d in docs})
        if f.kind != "paper"
    }
    # Remembered by the encoder in the process, as the database keeps them in production.
    encoder.encode([*sorted(texts), *background_texts()])
    texts_done = time.perf_counter()
    fit_start = time.perf_counter()
    matcher = Matcher(docs, embed=encoder.encode)
    fitted = time.perf_counter()
    lists = matcher.match_profiles(profiles, cap=10)
    finished = time.perf_counter()
    every_reader = [lists[g] for g in reader_group.ravel().tolist()]  # shared, not copied
    return {
        "readers": readers,
        "papers": papers,
        "distinct_profiles": len(profiles),
        "seconds_total": (grouped - started) + (finished - fit_start),
        "seconds_grouping": grouped - started,
        "seconds_fit": fitted - fit_start,
        "seconds_embed_papers": embedded - embed_start,
        "seconds_embed_texts": texts_done - embedded,
        "distinct_texts": len(texts),
        "seconds_match": finished - fitted,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_increase_mb": _peak_rss_mb() - rss_before,
        "mean_list_length": sum(len(lst) for lst in every_reader) / max(1, readers),
    }
