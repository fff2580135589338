"""The fresh test sets (bench/relevance/fresh, fresh2, fresh3): each built before a change.

    .venv/bin/python -m bench.relevance.fresh_build pool NAME   # once, before grading
    .venv/bin/python -m bench.relevance.fresh_build qrels NAME  # after: qrels/<name>.tsv

Why: by session 6 every earlier set had been read while choosing something (paperboy train/dev
chose weights and floor, its test, the holdout and the mlt test were read and then looked at
again), so none of them can say what a change does for a new reader. This set is read once, at
the end of the session; everything before it is development data.

Readers: 24 free-text readers written by a separate author who read neither code nor papers
(free.json: short, sentence-long, topic-only, with exclusions, niche, combined; 6 over the
Daily Papers seed day, 18 over the corpus weeks w1 and w4 — 1-7 and 22-28 October 2018), and
"more like this" readers with one marked paper each, chosen here by seed: the primary categories
with at least 40 papers in those two weeks (18 of them), shuffled, one paper of each from its
week.
Candidates: every paper of the reader's window except the matcher's 200 background papers.
Pooled and graded as holdout_build.py describes.

fresh2 (bench/relevance/fresh2/), built the same way later in session 6 with the refitted
constants: 24 more free-text readers by the same kind of author (asked the same way, told which
interests were already taken), over the seed day and the weeks w2 and w3 (8-21 October 2018);
no "more like this" readers. It was made to test an acronym spelling, which did no better on
development data and was not kept, so it measures the refitted matcher.

fresh3 (bench/relevance/fresh3/, session 7), built the same way before anything of session 7
changed the matcher: 24 free-text readers by a new author (8 on the seed day, 8 each on w2 and
w4), and 12 "more like this" readers by seed over w2 and w4. Its pools also hold the top 20 of
the BM25 + semantic blend baseline.

fresh4 (bench/relevance/fresh4/, session 8), built the same way before anything of session 8
changed the matcher: 24 free-text readers by a new author (8 on the seed day, 8 each on w1 and
w3), and 12 "more like this" readers by seed over w1 and w3.

fresh5 (bench/relevance/fresh5/, session 8), "more like this" only: 16 readers by seed, one per
primary category, over the four weeks in turn; built before the marked papers' floor changed.

fresh6 (bench/relevance/fresh6/, end of session 8): 24 free-text readers by a new author (6 on
the seed day, 9 each on w2 and w4) and 12 "more like this" readers by seed over w2 and w4,
pooled with session 8's matcher and graded; read once in session 10.

fresh7 (bench/relevance/fresh7/, end of session 10): 24 free-text readers by a new author (8 on
the seed day, 8 each on w1 and w3) and 12 "more like this" readers by seed over w1 and w3,
pooled with session 10's matcher (the closest-sentence term in) and graded, read by nobody:
the next change's test set.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.relevance import holdout_build, mlt_build
from bench.relevance.pool import load_papers

ROOT = Path(__file__).resolve().parent
MIN_CATEGORY_PAPERS = 40


@dataclass(frozen=True)
class Plan:
    windows: tuple[str, ...]
    mlt_weeks: tuple[str, ...] = ()  # weeks of the "more like this" readers, alternately
    mlt_queries: int = 0
    seed: int = 6_2026_12_02


SETS = {
    "fresh": Plan(("w1", "w4", "seed"), ("w1", "w4"), 20),
    "fresh2": Plan(("w2", "w3", "seed")),
    "fresh3": Plan(("w2", "w4", "seed"), ("w2", "w4"), 12, seed=7_2026_12_02),
    "fresh4": Plan(("w1", "w3", "seed"), ("w1", "w3"), 12, seed=8_2026_12_02),
    "fresh5": Plan(("w1", "w2", "w3", "w4"), ("w1", "w2", "w3", "w4"), 16, seed=9_2026_12_02),
    "fresh6": Plan(("w2", "w4", "seed"), ("w2", "w4"), 12, seed=10_2026_12_02),
    "fresh7": Plan(("w1", "w3", "seed"), ("w1", "w3"), 12, seed=11_2026_12_03),
}


def _papers(windows: tuple[str, ...]) -> list[dict]:
    by_window = load_papers()
    return [
        {**p, "window": w}
        for w in windows
        for p in by_window[w]
        if not holdout_build.is_background(p)
    ]


def mlt_queries(papers: list[dict], plan: Plan) -> list[dict]:
    weeks = [p for p in papers if p["window"] in plan.mlt_weeks]
    counts = Counter(p["categories"][0] for p in weeks)
    categories = sorted(c for c, n in counts.items() if n >= MIN_CATEGORY_PAPERS)
    rng = random.Random(plan.seed)
    rng.shuffle(categories)
    queries = []
    for category in categories[: plan.mlt_queries]:
        window = plan.mlt_weeks[len(queries) % len(plan.mlt_weeks)]
        pool = [p for p in weeks if p["window"] == window and p["categories"][0] == category]
        marked = rng.choice(sorted(pool, key=lambda p: p["id"]))
        queries.append(
            mlt_build.marked_reader(f"n{len(queries) + 1:02d}", category, marked, window)
        )
    return queries


def main() -> None:
    import os

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    action, name = [*sys.argv[1:], "fresh"][:2]
    if name not in SETS:
        raise SystemExit(__doc__)
    here = ROOT / name
    if action == "pool":
        plan = SETS[name]
        papers = _papers(plan.windows)
        typed = here / "free.json"
        free = json.loads(typed.read_text(encoding="utf-8")) if typed.exists() else []
        mlt = mlt_queries(papers, plan) if plan.mlt_queries else []
        queries = [{**q, "split": name} for q in [*free, *mlt]]
        (here / "interests.json").write_text(json.dumps(queries, indent=1, ensure_ascii=False))
        holdout_build.write_beir(papers, queries, here=here, window=None)
        holdout_build.pool(queries, here=here)
    elif action == "qrels":
        queries = json.loads((here / "interests.json").read_text(encoding="utf-8"))
        holdout_build.write_qrels(queries, here=here, name=name)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
