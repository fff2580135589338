"""Offline evaluation of matching against the hand-graded interests in `labels.json`.

Per interest, for our digest (above threshold, near-duplicates removed, at most `cap`) and for the
plain tf-idf baseline (baseline.py, fixed top `cap`):

* nDCG@10 with gains 2^grade - 1, the ideal ranking taken from all graded papers;
* precision: share of delivered papers with grade >= 1 (0 if nothing is delivered although
  relevant papers exist: silence is not counted as being right);
* recall: delivered grade-2 papers / min(number of grade-2 papers, cap), since a capped list can
  hold no more than `cap`.

Interests are split into "train" (looked at while choosing constants) and "heldout" (only
checked afterwards); "silence" interests have no relevant paper and report how many papers each
method delivered (ideal: 0 for ours; the baseline always sends `cap`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from digest.matching.baseline import baseline_rank
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, ReaderProfile
from digest.matching.topics import load_topics

LABELS = Path(__file__).with_name("labels.json")
EVAL_PAPERS = Path(__file__).with_name("eval_papers.json")  # the 83 papers of ../shared/seed
TARGETS = {"ndcg": 0.85, "precision": 0.8, "recall": 0.9}


@dataclass
class Metrics:
    ndcg: float
    precision: float
    recall: float
    delivered: int


@dataclass
class InterestResult:
    name: str
    split: str
    ours: Metrics
    baseline: Metrics


@dataclass
class Report:
    results: list[InterestResult] = field(default_factory=list)

    def mean(self, split: str | None, method: str) -> Metrics:
        rows = [r for r in self.results if r.split != "silence" and split in (None, r.split)]
        picked = [getattr(r, method) for r in rows]
        return Metrics(
            ndcg=mean(m.ndcg for m in picked),
            precision=mean(m.precision for m in picked),
            recall=mean(m.recall for m in picked),
            delivered=sum(m.delivered for m in picked),
        )


def load_seed_papers(path: str | Path = EVAL_PAPERS) -> list[PaperDoc]:
    """Seed papers as PaperDoc; primary category first, trending 0 (the seed has no signals)."""
    papers = []
    for entry in json.loads(Path(path).read_text(encoding="utf-8")):
        categories = [entry.get("primary_category") or "", *(entry.get("categories") or [])]
        papers.append(
            PaperDoc(
                id=entry["arxiv_id"],
                title=entry["title"],
                abstract=entry.get("abstract") or "",
                categories=tuple(dict.fromkeys(c for c in categories if c)),
            )
        )
    return papers


def load_labels(path: str | Path = LABELS) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def reference_papers(labels: Mapping[str, Any]) -> dict[str, PaperDoc]:
    return {
        paper_id: PaperDoc(
            id=paper_id,
            title=entry["title"],
            abstract=entry.get("abstract", ""),
            categories=tuple(entry.get("categories", ())),
        )
        for paper_id, entry in labels.get("reference_papers", {}).items()
    }


def profile_of(interest: Mapping[str, Any]) -> ReaderProfile:
    topics = load_topics()
    return ReaderProfile(
        topics=tuple(topics[slug] for slug in interest.get("topics", ())),
        interests=interest.get("interests", ""),
        exclusions=interest.get("exclusions", ""),
        liked=tuple(interest.get("liked", ())),
        disliked=tuple(interest.get("disliked", ())),
    )


def metrics(delivered: list[str], grades: Mapping[str, int], cap: int = 10) -> Metrics:
    gains = [2 ** grades.get(paper_id, 0) - 1 for paper_id in delivered[:10]]
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:10]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    clearly = {p for p, g in grades.items() if g == 2}
    relevant = sum(1 for p in delivered if grades.get(p, 0) >= 1)
    if delivered:
        precision = relevant / len(delivered)
    else:
        precision = 0.0 if grades else 1.0
    recall = len(clearly & set(delivered)) / min(len(clearly), cap) if clearly else 1.0
    return Metrics(dcg / idcg if idcg else float(not delivered), precision, recall, len(delivered))


def evaluate(papers: list[PaperDoc], labels: Mapping[str, Any], *, cap: int = 10) -> Report:
    references = reference_papers(labels)
    matcher = Matcher(papers, reference_papers=references)
    documents = {**references, **{p.id: p for p in papers}}
    interests = labels["interests"]
    profiles = [profile_of(i) for i in interests]
    lists = matcher.match_profiles(profiles, cap=cap)
    report = Report()
    for interest, profile, matches in zip(interests, profiles, lists, strict=True):
        grades = interest["grades"]
        ours = metrics([m.paper_id for m in matches], grades, cap)
        base = metrics(baseline_rank(papers, profile, cap=cap, documents=documents), grades, cap)
        report.results.append(InterestResult(interest["name"], interest["split"], ours, base))
    return report


def format_report(report: Report) -> str:
    header = f"{'interest':<48} {'split':<8} {'nDCG@10':>15} {'precision':>15} {'recall':>15}"
    lines = [
        header,
        f"{'':<48} {'':<8} {'ours   base':>15} {'ours   base':>15} {'ours   base':>15}",
    ]

    def row(name: str, split: str, ours: Metrics, base: Metrics) -> str:
        cells = " ".join(
            f"{getattr(ours, k):>7.2f} {getattr(base, k):>5.2f}  "
            for k in ("ndcg", "precision", "recall")
        )
        return f"{name[:48]:<48} {split:<8} {cells}"

    for r in report.results:
        if r.split != "silence":
            lines.append(row(r.name, r.split, r.ours, r.baseline))
    lines.append("-" * len(header))
    for split in ("train", "heldout", None):
        label = split or "all"
        lines.append(
            row(
                f"MEAN ({label})", label, report.mean(split, "ours"), report.mean(split, "baseline")
            )
        )
    lines.append(
        f"targets: nDCG@10 >= {TARGETS['ndcg']}, precision >= {TARGETS['precision']}, "
        f"recall >= {TARGETS['recall']}"
    )
    for r in report.results:
        if r.split == "silence":
            lines.append(
                f"silence check, {r.name}: ours delivered {r.ours.delivered}, "
                f"baseline {r.baseline.delivered}"
            )
    return "\n".join(lines)


def calibrate_threshold(
    papers: list[PaperDoc], labels: Mapping[str, Any], split: str = "train"
) -> float:
    """Midpoint between the 10th percentile of clearly relevant (grade 2) relevance and the 90th
    percentile of unrelated (grade 0) relevance, pooled over one split's interests.

    This is how engine.THRESHOLD was chosen (on the train split, rounded to 0.05); the held-out
    split is then evaluated with that fixed value.
    """
    matcher = Matcher(papers, reference_papers=reference_papers(labels))
    interests = [i for i in labels["interests"] if i["split"] == split]
    scores = matcher.relevance([profile_of(i) for i in interests])
    clearly, unrelated = [], []
    for interest, row in zip(interests, scores, strict=True):
        for paper, value in zip(papers, row.tolist(), strict=True):
            grade = interest["grades"].get(paper.id, 0)
            (clearly if grade == 2 else unrelated if grade == 0 else []).append(value)
    return float((np.quantile(clearly, 0.10) + np.quantile(unrelated, 0.90)) / 2)
