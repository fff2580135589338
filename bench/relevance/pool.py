"""How the graded set was pooled (run once; kept as the record of how the labels were made).

For each interest of interests.json: the union of the top 20 of four systems over the interest's
window — the matcher as it was before the hybrid one (commit afae863, threshold set to 0 so it
ranks everything), tf-idf, BM25 and all-MiniLM-L6-v2 cosine — shuffled with a fixed seed so
graders cannot tell which system proposed a paper, written to pools/<id>.json for grading.
Run today it pools with the current matcher (floor 0) in place of the old one.

    .venv/bin/python bench/relevance/pool.py VECTORS.npy IDS.json
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from digest.matching import calibration, engine  # noqa: E402
from digest.matching.profiles import PaperDoc, ReaderProfile  # noqa: E402
from digest.matching.topics import load_topics  # noqa: E402

CORPUS = HERE.parents[2] / "shared" / "corpus" / "arxiv-2018-10.jsonl"
SEED = HERE.parents[2] / "shared" / "seed" / "papers.json"
WINDOWS = {
    "w1": ("2018-10-01", "2018-10-07"),
    "w2": ("2018-10-08", "2018-10-14"),
    "w3": ("2018-10-15", "2018-10-21"),
    "w4": ("2018-10-22", "2018-10-28"),
}
DEPTH = 20


def load_papers() -> dict[str, list[dict]]:
    by_window: dict[str, list[dict]] = {w: [] for w in WINDOWS}
    for line in CORPUS.open(encoding="utf-8"):
        p = json.loads(line)
        for w, (lo, hi) in WINDOWS.items():
            if lo <= p["date"] <= hi:
                by_window[w].append(p)
    by_window["seed"] = [
        {
            "id": p["arxiv_id"],
            "title": p["title"],
            "abstract": p.get("abstract") or "",
            "categories": [
                c for c in [p.get("primary_category"), *(p.get("categories") or [])] if c
            ],
            "date": "seed",
        }
        for p in json.loads(SEED.read_text(encoding="utf-8"))
    ]
    return by_window


def doc(p: dict) -> PaperDoc:
    return PaperDoc(
        id=p["id"],
        title=p["title"],
        abstract=p["abstract"],
        categories=tuple(dict.fromkeys(p["categories"])),
    )


def profile_text(q: dict, topics: dict) -> str:
    parts = [q["interests"]]
    for slug in q["topics"]:
        t = topics[slug]
        parts += [t.name, t.description, *t.keywords]
    return " ".join(x for x in parts if x)


def excluded(p: dict, q: dict) -> bool:
    words = [w.strip().lower() for w in q["exclusions"].split(",") if w.strip()]
    text = f"{p['title']} {p['abstract']}".lower()
    return any(w in text for w in words)


def main() -> None:
    vectors = np.load(sys.argv[1])
    index = {pid: i for i, pid in enumerate(json.loads(Path(sys.argv[2]).read_text()))}
    import bm25s

    from bench.relevance.baseline import baseline_rank
    from digest.matching.encoder import load_encoder

    calibration.FLOOR = calibration.PAPER_FLOOR = 0.0
    topics = load_topics()
    papers = load_papers()
    encoder = load_encoder()
    out = HERE / "pools"
    out.mkdir(exist_ok=True)
    for q in json.loads((HERE / "interests.json").read_text()):
        marked = set(q["liked"]) | set(q["disliked"])
        window = papers[q["window"]]
        cands = [p for p in window if p["id"] not in marked and not excluded(p, q)]
        docs = [doc(p) for p in cands]
        refs = {p["id"]: doc(p) for p in window if p["id"] in marked}
        profile = ReaderProfile(
            topics=tuple(topics[s] for s in q["topics"]),
            interests=q["interests"],
            exclusions=q["exclusions"],
            liked=tuple(q["liked"]),
            disliked=tuple(q["disliked"]),
        )
        systems = {}
        [old] = engine.Matcher(docs, reference_papers=refs).match_profiles([profile], cap=DEPTH)
        systems["old"] = [m.paper_id for m in old]
        systems["tfidf"] = baseline_rank(docs, profile, cap=DEPTH, documents=refs)
        text = (
            profile_text(q, topics)
            + " "
            + " ".join(f"{refs[i].title} {refs[i].abstract}" for i in q["liked"] if i in refs)
        )
        retriever = bm25s.BM25()
        retriever.index(
            bm25s.tokenize(
                [f"{p['title']} {p['abstract']}" for p in cands],
                stopwords="en",
                show_progress=False,
            ),
            show_progress=False,
        )
        res, _ = retriever.retrieve(
            bm25s.tokenize([text], stopwords="en", show_progress=False),
            k=min(DEPTH, len(cands)),
            show_progress=False,
        )
        systems["bm25"] = [cands[i]["id"] for i in res[0]]
        cand_vecs = vectors[[index[p["id"]] for p in cands]]
        if q["liked"]:
            qv = vectors[[index[i] for i in q["liked"]]].mean(axis=0)
        else:
            qv = encoder.encode([profile_text(q, topics)])[0]
        sims = cand_vecs @ qv
        systems["minilm"] = [cands[i]["id"] for i in np.argsort(-sims)[:DEPTH]]
        pool = sorted({i for ids in systems.values() for i in ids})
        random.Random(q["id"]).shuffle(pool)
        by_id = {p["id"]: p for p in cands}
        (out / f"{q['id']}.json").write_text(
            json.dumps(
                {
                    "query": {
                        k: q[k]
                        for k in (
                            "id",
                            "interests",
                            "topics",
                            "exclusions",
                            "persona",
                            "must_have_hint",
                        )
                    },
                    "liked": [{"id": i, "title": refs[i].title} for i in q["liked"] if i in refs],
                    "disliked": [
                        {"id": i, "title": refs[i].title} for i in q["disliked"] if i in refs
                    ],
                    "papers": [
                        {"id": i, "title": by_id[i]["title"], "abstract": by_id[i]["abstract"]}
                        for i in pool
                    ],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        (out / f"{q['id']}.systems.json").write_text(json.dumps(systems))
        print(q["id"], len(cands), "pool", len(pool), flush=True)


if __name__ == "__main__":
    main()
