"""Build the graded set in the BEIR layout from interests.json, grades/ and the shared corpus.

    .venv/bin/python -m bench.relevance.build

Writes bench/relevance/paperboy/: corpus.jsonl (every paper of the five windows), queries.jsonl
(the reader's own words as `text`; topics, exclusions, marks and window in `metadata`) and
qrels/{train,dev,test}.tsv. Unjudged papers count as grade 0 (standard pooling).

The split is by interest, fixed before any system was scored on the grades: within each kind of
interest, ids are shuffled with a fixed seed and dealt test, train, test, train, dev, ... so
every part has every kind. train fits the weights, dev sets the floor, test is only reported.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

from bench.relevance.pool import WINDOWS, load_papers

HERE = Path(__file__).resolve().parent
OUT = HERE / "paperboy"
DEAL = ("test", "train", "test", "train", "dev")
SEED = 2026


def split_of(interests: list[dict]) -> dict[str, str]:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for q in interests:
        by_kind[q["kind"]].append(q["id"])
    split, dealt = {}, 0
    for kind in sorted(by_kind):
        ids = sorted(by_kind[kind])
        random.Random(f"{SEED}-{kind}").shuffle(ids)
        for qid in ids:
            split[qid] = DEAL[dealt % len(DEAL)]
            dealt += 1
    return split


def main() -> None:
    interests = json.loads((HERE / "interests.json").read_text(encoding="utf-8"))
    papers = load_papers()
    split = split_of(interests)
    (OUT / "qrels").mkdir(parents=True, exist_ok=True)
    with (OUT / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for window in [*WINDOWS, "seed"]:
            for p in papers[window]:
                row = {
                    "_id": p["id"],
                    "title": p["title"],
                    "text": p["abstract"],
                    "metadata": {"window": window, "categories": p["categories"]},
                }
                corpus.write(json.dumps(row, ensure_ascii=False) + "\n")
    qrels = {name: ["query-id\tcorpus-id\tscore"] for name in set(DEAL)}
    with (OUT / "queries.jsonl").open("w", encoding="utf-8") as queries:
        for q in interests:
            meta = {
                k: q[k]
                for k in ("window", "kind", "field", "topics", "exclusions", "liked", "disliked")
            }
            meta["split"] = split[q["id"]]
            queries.write(
                json.dumps(
                    {"_id": q["id"], "text": q["interests"], "metadata": meta}, ensure_ascii=False
                )
                + "\n"
            )
            grades = json.loads((HERE / "grades" / f"{q['id']}.json").read_text())
            qrels[split[q["id"]]] += [f"{q['id']}\t{pid}\t{g}" for pid, g in sorted(grades.items())]
    for name, lines in qrels.items():
        (OUT / "qrels" / f"{name}.tsv").write_text("\n".join(lines) + "\n")
    counts = defaultdict(int)
    for s in split.values():
        counts[s] += 1
    print(dict(counts))


if __name__ == "__main__":
    main()
