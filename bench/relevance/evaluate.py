"""Score the real matcher and four baselines on a BEIR-layout graded set.

Per query, for each system:

* nDCG@10 and nDCG@20, gains 2^grade - 1, the ideal ranking from every graded paper of the query;
* precision: share of delivered papers with grade >= 1 (0 when nothing was delivered although
  relevant papers exist: silence is not counted as being right);
* recall: delivered grade-2 papers / min(number of grade-2 papers, cap) (a capped list holds no
  more than `cap`);
* delivered: how many papers the list holds. "Empty" is the share of queries given nothing.

Ours is the matcher that builds editions (inclusion floor, exclusions, marks, near-duplicates)
with its list cut at 10 (nDCG@10, precision, recall) and at 20 (nDCG@20). The baselines always
deliver their top `cap`: tf-idf (baseline.py), BM25 (bm25s, Lucene variant, English stop words)
and semantic-only (cosine with the embedding of the reader's text, or of the marked papers'
mean), and blend: semantic and BM25 scores each min-max scaled over the candidates and added
(the "simple MiniLM + BM25 blend" the relevance issue measured). Exclusions and marks apply to
every system alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from statistics import mean

import numpy as np

from bench.relevance.baseline import baseline_rank, profile_text
from bench.relevance.beir import Dataset, Query
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile
from digest.matching.text import contains_phrase, split_phrases
from digest.matching.topics import load_topics

SYSTEMS = ("ours", "tfidf", "bm25", "semantic", "blend")
TARGETS = {"ndcg10": 0.85, "precision": 0.80, "recall": 0.85}


@dataclass
class Metrics:
    ndcg10: float
    ndcg20: float
    precision: float
    recall: float
    delivered: int


@dataclass
class QueryResult:
    query: Query
    systems: dict[str, Metrics] = field(default_factory=dict)


def ndcg(ranked: list[str], grades: Mapping[str, int], k: int) -> float:
    gains = [2 ** grades.get(p, 0) - 1 for p in ranked[:k]]
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:k]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else float(not ranked)


def metrics(top10: list[str], top20: list[str], grades: Mapping[str, int], cap: int = 10):
    relevant = sum(1 for p in top10 if grades.get(p, 0) >= 1)
    any_relevant = any(g >= 1 for g in grades.values())
    precision = relevant / len(top10) if top10 else (0.0 if any_relevant else 1.0)
    must = {p for p, g in grades.items() if g == 2}
    recall = len(must & set(top10)) / min(len(must), cap) if must else 1.0
    return Metrics(ndcg(top10, grades, 10), ndcg(top20, grades, 20), precision, recall, len(top10))


def profile_of(query: Query, *, as_library: bool = False) -> ReaderProfile:
    """The reader a query describes; with `as_library`, its marked papers arrive as seeds from
    the reader's library (a pasted id or an imported BibTeX entry) instead of votes."""
    topics = load_topics()
    return ReaderProfile(
        topics=tuple(topics[s] for s in query.topics if s in topics),
        interests=query.text,
        exclusions=query.exclusions,
        liked=query.liked,
        disliked=query.disliked,
        library=query.liked if as_library else (),
    )


def _allowed(papers: list[PaperDoc], exclusions: str) -> list[PaperDoc]:
    phrases = split_phrases(exclusions)
    return [
        p for p in papers if not any(contains_phrase(f"{p.title} {p.abstract}", x) for x in phrases)
    ]


def _bm25_scores(papers: list[PaperDoc], text: str) -> np.ndarray:
    """BM25 score of every paper for the reader's text, in the papers' order."""
    import bm25s

    if not papers or not text.strip():
        return np.zeros(len(papers))
    retriever = bm25s.BM25()
    corpus = bm25s.tokenize(
        [f"{p.title} {p.abstract}" for p in papers], stopwords="en", show_progress=False
    )
    retriever.index(corpus, show_progress=False)
    query = bm25s.tokenize([text], stopwords="en", show_progress=False)
    found, scores = retriever.retrieve(query, k=len(papers), show_progress=False)
    out = np.zeros(len(papers))
    out[found[0]] = scores[0]
    return out


def _semantic_scores(papers: list[PaperDoc], profile: ReaderProfile, documents, embed):
    """Cosine of every paper with the reader's text (or the marked papers' mean vector)."""
    if not papers:
        return np.zeros(0)
    liked = [documents[i] for i in profile.liked if i in documents]
    if liked:
        query = np.mean([np.asarray(p.vector) for p in liked], axis=0)
    else:
        text = " ".join(
            [profile.interests, *(f"{t.name}. {t.description}" for t in profile.topics)]
        ).strip()
        query = embed([text])[0]
    return np.stack([np.asarray(p.vector) for p in papers]) @ query


def _min_max(x: np.ndarray) -> np.ndarray:
    span = x.max() - x.min() if len(x) else 0.0
    return (x - x.min()) / span if span else np.zeros_like(x)


def _top(papers: list[PaperDoc], scores: np.ndarray, k: int) -> list[str]:
    return [papers[i].id for i in np.argsort(-scores, kind="stable")[:k]]


def ranked_lists(
    dataset: Dataset, query: Query, *, embed, depth: int = 20, as_library: bool = False
):
    """Each system's list for one query, best first: ours as the edition would deliver it (its
    floor applies, so it may be shorter), the baselines always `depth` long."""
    candidates = dataset.candidates(query)
    documents = dataset.papers
    profile = profile_of(query, as_library=as_library)
    refs = {i: documents[i] for i in (*query.liked, *query.disliked) if i in documents}
    matcher = Matcher(candidates, reference_papers=refs, embed=embed)
    [ours] = matcher.match_profiles([profile], cap=depth)
    allowed = _allowed(candidates, query.exclusions)
    text = profile_text(profile, documents)
    lists = {
        "ours": [m.paper_id for m in ours],
        "tfidf": baseline_rank(allowed, profile, cap=depth, documents=documents),
    }
    bm25 = _bm25_scores(allowed, text)
    lists["bm25"] = _top(allowed, bm25, depth) if text.strip() else []
    if embed is not None:
        semantic = _semantic_scores(allowed, profile, documents, embed)
        lists["semantic"] = _top(allowed, semantic, depth)
        lists["blend"] = _top(allowed, _min_max(semantic) + _min_max(bm25), depth)
    return lists


def run(
    dataset: Dataset,
    *,
    embed: Callable | None,
    splits: set[str] | None = None,
    as_library: bool = False,
):
    """One QueryResult per query of the chosen splits (all when None)."""
    results = []
    for query in dataset.queries:
        if splits and query.split not in splits:
            continue
        result = QueryResult(query)
        lists = ranked_lists(dataset, query, embed=embed, as_library=as_library)
        for name, ranked in lists.items():
            result.systems[name] = metrics(ranked[:10], ranked[:20], query.grades)
        results.append(result)
    return results


def summary(results: list[QueryResult], system: str) -> dict[str, float]:
    rows = [r.systems[system] for r in results if system in r.systems]
    judged = [
        r.systems[system]
        for r in results
        if system in r.systems and any(g >= 1 for g in r.query.grades.values())
    ]
    if not rows:
        return {}
    return {
        "ndcg10": mean(m.ndcg10 for m in judged) if judged else 0.0,
        "ndcg20": mean(m.ndcg20 for m in judged) if judged else 0.0,
        "precision": mean(m.precision for m in rows),
        "recall": mean(m.recall for m in judged) if judged else 1.0,
        "delivered": mean(m.delivered for m in rows),
        "empty": mean(1.0 if m.delivered == 0 else 0.0 for m in rows),
    }


def format_report(results: list[QueryResult], *, per_query: bool = True) -> str:
    systems = [s for s in SYSTEMS if any(s in r.systems for r in results)]
    keys = ("ndcg10", "ndcg20", "precision", "recall", "delivered")
    head = f"{'query':<10}{'split':<7}" + "".join(f"{s:>40}" for s in systems)
    sub = f"{'':<17}" + "".join(f"{'nDCG10 nDCG20  prec   rec  deliv':>40}" for _ in systems)
    lines = [head, sub]
    if per_query:
        for r in results:
            cells = "".join(
                "".join(f"{getattr(r.systems[s], k):>7.2f}" for k in keys[:4])
                + f"{r.systems[s].delivered:>6d}"
                + " " * 6
                for s in systems
            )
            lines.append(f"{r.query.id[:10]:<10}{r.query.split:<7}{cells}")
    for split in [*sorted({r.query.split for r in results}), "all"]:
        part = [r for r in results if split in ("all", r.query.split)]
        lines.append(f"MEAN {split} ({len(part)} queries)")
        for s in systems:
            m = summary(part, s)
            lines.append(
                f"  {s:<9} nDCG@10 {m['ndcg10']:.3f}  nDCG@20 {m['ndcg20']:.3f}  "
                f"precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
                f"delivered {m['delivered']:.1f}  empty {m['empty']:.0%}"
            )
    lines.append(
        f"targets: nDCG@10 >= {TARGETS['ndcg10']}, precision >= {TARGETS['precision']}, "
        f"recall >= {TARGETS['recall']}"
    )
    return "\n".join(lines)
