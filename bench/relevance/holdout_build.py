"""The held-out set (bench/relevance/holdout/): written, pooled and graded before any tuning.

    .venv/bin/python -m bench.relevance.holdout_build pool    # once, before grading
    .venv/bin/python -m bench.relevance.holdout_build qrels   # after grading: qrels/holdout.tsv

Candidates: every paper of 29-31 October 2018 (the corpus days no other labelled set uses)
except the 200 that are the matcher's background reference (digest/matching/background.json),
663 papers, one window "h". interests.json holds 22 free-text readers (own words, topics,
exclusions, niche) and 12 "more like this" readers (1-3 marked papers of those days, no words).

Pooling: per reader the union of the top 20 of ours (the matcher of commit 9bb0ea6 with its floor
at 0, so it ranks everything), tf-idf, BM25 and semantic-only — the same four systems
`evaluate_matching` reports — shuffled with a fixed seed and written without the system names
to pools/<id>.json; which system proposed what is kept apart in pools/<id>.systems.json, which
grading never reads. grades/<id>.json: 0/1/2 per pooled paper; unjudged papers count as 0.
"""

from __future__ import annotations

import json
import random
import sys
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent / "holdout"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "arxiv-2018-10.jsonl"
DAYS = ("2018-10-29", "2018-10-31")
DEPTH = 20


def is_background(paper: dict) -> bool:
    """One of the matcher's 200 background papers (never a candidate of a labelled set)."""
    return " ".join(paper["title"].split()).lower() in _background_titles()


@cache
def _background_titles() -> frozenset[str]:
    from digest.matching.facets import BACKGROUND

    entries = json.loads(BACKGROUND.read_text())
    return frozenset(" ".join(e["title"].split()).lower() for e in entries)


def holdout_papers() -> list[dict]:
    papers = []
    for line in CORPUS.open(encoding="utf-8"):
        p = json.loads(line)
        if DAYS[0] <= p["date"] <= DAYS[1] and not is_background(p):
            papers.append(p)
    return papers


def write_beir(
    papers: list[dict], interests: list[dict], *, here: Path = HERE, window: str | None = "h"
) -> None:
    """The BEIR folder; `window` names every paper's window, or None to keep each paper's."""
    with (here / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for p in papers:
            meta = {"window": window or p["window"], "categories": p["categories"]}
            meta["date"] = p["date"]
            row = {"_id": p["id"], "title": p["title"], "text": p["abstract"], "metadata": meta}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (here / "queries.jsonl").open("w", encoding="utf-8") as f:
        for q in interests:
            meta = {k: q[k] for k in ("window", "kind", "field", "topics", "exclusions", "liked")}
            meta |= {"disliked": q["disliked"], "split": q.get("split", "holdout")}
            f.write(json.dumps({"_id": q["id"], "text": q["interests"], "metadata": meta}) + "\n")


def pool(interests: list[dict], *, here: Path = HERE) -> None:
    from django.conf import settings

    from bench.relevance import beir, evaluate
    from digest.embeddings import encoder_or_none
    from digest.matching import calibration

    calibration.FLOOR = calibration.PAPER_FLOOR = 0.0  # ours ranks everything for pooling
    encoder = encoder_or_none()
    cache = beir.VectorCache(
        Path(settings.VAR_DIR) / "relevance-vectors" / f"{encoder.name}.npz", encoder
    )
    # a placeholder grade so every query loads; the pools decide what gets graded
    qrels = here / "qrels"
    qrels.mkdir(exist_ok=True)
    splits = sorted({q.get("split", "holdout") for q in interests})
    for split in splits:
        rows = [q for q in interests if q.get("split", "holdout") == split]
        (qrels / f"{split}.tsv").write_text(
            "query-id\tcorpus-id\tscore\n" + "".join(f"{q['id']}\tnone\t0\n" for q in rows)
        )
    dataset = beir.with_vectors(beir.load(here), cache)
    cache.save()
    out = here / "pools"
    out.mkdir(exist_ok=True)
    for query in dataset.queries:
        systems = evaluate.ranked_lists(dataset, query, embed=cache, depth=DEPTH)
        ids = sorted({i for ranked in systems.values() for i in ranked})
        random.Random(query.id).shuffle(ids)
        q = next(x for x in interests if x["id"] == query.id)
        marked = [dataset.papers[i] for i in query.liked]
        record = {
            "query": {k: q[k] for k in ("id", "interests", "topics", "exclusions", "persona")},
            "must_have_hint": q["must_have_hint"],
            "liked": [{"id": p.id, "title": p.title, "abstract": p.abstract} for p in marked],
            "papers": [
                {"id": i, "title": dataset.papers[i].title, "abstract": dataset.papers[i].abstract}
                for i in ids
            ],
        }
        (out / f"{query.id}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
        (out / f"{query.id}.systems.json").write_text(json.dumps(systems))
        print(query.id, "pool", len(ids), flush=True)
    cache.save()


def write_qrels(interests: list[dict], *, here: Path = HERE, name: str = "holdout") -> None:
    lines = ["query-id\tcorpus-id\tscore"]
    for q in interests:
        grades = json.loads((here / "grades" / f"{q['id']}.json").read_text())
        lines += [f"{q['id']}\t{pid}\t{g}" for pid, g in sorted(grades.items())]
    (here / "qrels" / f"{name}.tsv").write_text("\n".join(lines) + "\n")


def main() -> None:
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    interests = json.loads((HERE / "interests.json").read_text(encoding="utf-8"))
    if sys.argv[1:] == ["pool"]:
        write_beir(holdout_papers(), interests)
        pool(interests)
    elif sys.argv[1:] == ["qrels"]:
        write_qrels(interests)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
