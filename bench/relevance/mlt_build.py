"""The "more like this" set (bench/relevance/mlt/): one marked paper per reader, nothing else.

    .venv/bin/python -m bench.relevance.mlt_build pool    # once, before grading
    .venv/bin/python -m bench.relevance.mlt_build qrels   # after grading: qrels/dev.tsv, test.tsv

Written in session 5 because every earlier set had been read while choosing constants: the
paper-facet weights were fitted on feedback readers *derived* from interest labels (derived.py),
and the holdout's 12 "more like this" readers were read once. This set's queries and grades are
new; its papers are the corpus weeks w2 and w3 (8-21 October 2018, also the candidates of some
paperboy interests, whose grades this set does not use), minus the matcher's 200 background
papers.

Queries, fixed by seed before any system was scored: the primary categories with at least 60
papers in the corpus (so a week holds papers a reader of that field would want), shuffled; the
first 24, alternately in w2 and w3, each with one paper of that category drawn from its week
(none that the paperboy set graded or marked). Split, also before scoring: even positions dev,
odd test. Pooled and graded as holdout_build.py describes (top 20 of ours at floor 0, tf-idf,
BM25, semantic-only; grades 0/1/2 from the marked paper and each candidate's title and abstract).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

from bench.relevance import holdout_build
from bench.relevance.pool import WINDOWS

HERE = Path(__file__).resolve().parent / "mlt"
SEED = 20261202
QUERIES = 24
MIN_CATEGORY_PAPERS = 60
GRADING = (
    "Grade 2: a paper this reader would be glad to find in their digest because it works on the "
    "same specific problem, method or object as the marked paper. Grade 1: same field and a "
    "related question, worth a glance. Grade 0: anything else."
)


def _papers() -> list[dict]:
    papers = []
    for line in holdout_build.CORPUS.open(encoding="utf-8"):
        p = json.loads(line)
        for window in ("w2", "w3"):
            lo, hi = WINDOWS[window]
            if lo <= p["date"] <= hi and not holdout_build.is_background(p):
                papers.append({**p, "window": window})
    return papers


def _used_by_paperboy() -> set[str]:
    root = HERE.parent / "paperboy"
    used = set()
    for tsv in (root / "qrels").glob("*.tsv"):
        used |= {line.split("\t")[1] for line in tsv.read_text().splitlines()[1:]}
    for line in (root / "queries.jsonl").open(encoding="utf-8"):
        meta = json.loads(line).get("metadata", {})
        used |= set(meta.get("liked", [])) | set(meta.get("disliked", []))
    return used


def marked_reader(query_id: str, category: str, marked: dict, window: str) -> dict:
    """A reader who marked one paper "more like this" and typed nothing."""
    return {
        "id": query_id,
        "kind": "feedback",
        "field": category,
        "persona": f"A {category} researcher who marked one paper 'more like this'.",
        "interests": "",
        "topics": [],
        "exclusions": "",
        "must_have_hint": GRADING,
        "liked": [marked["id"]],
        "disliked": [],
        "window": window,
    }


def choose_queries(papers: list[dict]) -> list[dict]:
    counts = Counter(json.loads(line)["categories"][0] for line in holdout_build.CORPUS.open())
    categories = sorted(c for c, n in counts.items() if n >= MIN_CATEGORY_PAPERS)
    rng = random.Random(SEED)
    rng.shuffle(categories)
    used = _used_by_paperboy()
    queries = []
    for category in categories:
        window = ("w2", "w3")[len(queries) % 2]
        pool = [
            p
            for p in papers
            if p["window"] == window and p["categories"][0] == category and p["id"] not in used
        ]
        if not pool:
            continue
        marked = rng.choice(sorted(pool, key=lambda p: p["id"]))
        n = len(queries) + 1
        reader = marked_reader(f"m{n:02d}", category, marked, window)
        queries.append(reader | {"split": "dev" if n % 2 else "test"})
        if len(queries) == QUERIES:
            break
    return queries


def main() -> None:
    import os

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if sys.argv[1:] == ["pool"]:
        HERE.mkdir(exist_ok=True)
        papers = _papers()
        queries = choose_queries(papers)
        (HERE / "interests.json").write_text(json.dumps(queries, indent=1, ensure_ascii=False))
        holdout_build.write_beir(papers, queries, here=HERE, window=None)
        holdout_build.pool(queries, here=HERE)
    elif sys.argv[1:] == ["qrels"]:
        queries = json.loads((HERE / "interests.json").read_text(encoding="utf-8"))
        for split in ("dev", "test"):
            rows = [q for q in queries if q["split"] == split]
            holdout_build.write_qrels(rows, here=HERE, name=split)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
