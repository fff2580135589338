"""The evaluation and the matching benchmark as an operator runs them."""

from __future__ import annotations

import io

from django.core.management import call_command


def test_evaluate_matching_prints_ours_against_the_baseline_and_meets_the_targets() -> None:
    out = io.StringIO()
    call_command("evaluate_matching", stdout=out)
    report = out.getvalue()
    assert "nDCG@10" in report and "base" in report
    [mean] = [line for line in report.splitlines() if line.startswith("MEAN (all)")]
    ndcg, _, precision, _, recall, _ = (float(x) for x in mean.split()[-6:])
    assert ndcg >= 0.85 and precision >= 0.8 and recall >= 0.9


def test_bench_match_runs_at_a_small_size_and_reports_time_and_memory() -> None:
    out = io.StringIO()
    call_command("bench", "match", "--readers", "2000", "--papers", "200", stdout=out)
    printed = out.getvalue()
    assert "distinct_profiles" in printed
    assert "seconds_total" in printed and "peak_rss_mb" in printed
