"""The evaluation and the matching benchmark as an operator runs them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "beir_tiny"


def means(report: str) -> dict[str, list[float]]:
    rows = {}
    for line in report.splitlines():
        parts = line.split()
        if parts and parts[0] in {"ours", "tfidf", "bm25", "semantic", "blend"}:
            rows[parts[0]] = [float(x.rstrip("%")) for x in parts[2::2]]
    return rows


def test_evaluate_matching_reads_a_beir_folder_and_prints_every_system() -> None:
    out = io.StringIO()
    call_command("evaluate_matching", "--dataset", str(TINY), stdout=out)
    report = out.getvalue()
    assert "== beir_tiny: 2 queries, hybrid" in report
    assert set(means(report)) == {"ours", "tfidf", "bm25", "semantic", "blend"}
    [q1] = [line.split() for line in report.splitlines() if line.startswith("q1 ")]
    ndcg10, _ndcg20, precision, recall, delivered = (float(x) for x in q1[2:7])
    # Both recommender-systems papers, first, and little else.
    assert ndcg10 == 1.0 and recall == 1.0 and precision >= 0.5 and delivered <= 4


def test_more_like_this_reads_each_query_id_as_a_marked_paper() -> None:
    out = io.StringIO()
    call_command(
        "evaluate_matching", "--dataset", str(TINY), "--more-like-this", "--summary", stdout=out
    )
    # q1 is not a corpus paper: only the paper query is a "more like this" reader.
    assert "2 queries" in out.getvalue()
    assert means(out.getvalue())["ours"]


def delivered(report: str, query: str) -> list[int]:
    """Per system, how many papers the query's list holds (the fifth figure of each)."""
    [row] = [line.split() for line in report.splitlines() if line.startswith(f"{query} ")]
    return [int(x) for x in row[6::5]]


def test_rerank_matches_each_query_against_only_its_graded_papers() -> None:
    whole, graded = io.StringIO(), io.StringIO()
    call_command("evaluate_matching", "--dataset", str(TINY), stdout=whole)
    call_command("evaluate_matching", "--dataset", str(TINY), "--rerank", stdout=graded)
    # q1 grades two of the 20 papers: the baselines fill ten from the corpus, but only two
    # candidates exist when re-ranking, and both are the must-haves.
    assert max(delivered(whole.getvalue(), "q1")) == 10
    assert delivered(graded.getvalue(), "q1") == [2, 2, 2, 2, 2]
    [q1] = [line.split() for line in graded.getvalue().splitlines() if line.startswith("q1 ")]
    assert [float(x) for x in q1[2:6]] == [1.0, 1.0, 1.0, 1.0]  # ours: nDCG, precision, recall


def test_a_folder_that_is_not_beir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a readable BEIR folder"):
        call_command("evaluate_matching", "--dataset", str(tmp_path))


def test_semantic_matching_off_evaluates_lexical_only(settings) -> None:
    settings.SEMANTIC_MATCHING = False
    out = io.StringIO()
    call_command("evaluate_matching", "--dataset", str(TINY), "--summary", stdout=out)
    assert "lexical only" in out.getvalue()
    assert not {"semantic", "blend"} & set(means(out.getvalue()))


def test_bench_match_runs_at_a_small_size_and_reports_time_and_memory() -> None:
    out = io.StringIO()
    call_command("bench", "match", "--readers", "2000", "--papers", "200", stdout=out)
    printed = out.getvalue()
    assert "distinct_profiles" in printed
    assert "seconds_total" in printed and "peak_rss_mb" in printed
