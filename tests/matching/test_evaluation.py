import pytest

from digest.matching.engine import THRESHOLD
from digest.matching.evaluation import (
    TARGETS,
    Report,
    calibrate_threshold,
    evaluate,
    format_report,
    metrics,
)
from digest.matching.profiles import PaperDoc


@pytest.fixture(scope="module")
def report(papers: list[PaperDoc], labels: dict) -> Report:
    return evaluate(papers, labels)


@pytest.mark.parametrize("split", ["train", "heldout", None])
def test_matching_meets_the_quality_targets_on_each_half(report: Report, split: str | None) -> None:
    ours = report.mean(split, "ours")
    assert ours.ndcg >= TARGETS["ndcg"]
    assert ours.precision >= TARGETS["precision"]
    assert ours.recall >= TARGETS["recall"]


def test_matching_is_more_precise_than_the_plain_baseline(report: Report) -> None:
    assert report.mean(None, "ours").precision > report.mean(None, "baseline").precision + 0.1


def test_interests_with_no_relevant_paper_get_nothing(report: Report) -> None:
    silent = [r for r in report.results if r.split == "silence"]
    assert silent and all(r.ours.delivered == 0 for r in silent)


def test_the_labelled_set_covers_the_kinds_of_interest(labels: dict) -> None:
    graded = [i for i in labels["interests"] if i["split"] != "silence"]
    assert len(graded) >= 12
    assert any(i["interests"] and not i["topics"] for i in graded)
    assert any(i["topics"] and not i["interests"] for i in graded)
    assert any(i["exclusions"] for i in graded)
    assert any(i["liked"] and not i["topics"] and not i["interests"] for i in graded)
    assert {i["split"] for i in graded} == {"train", "heldout"}


def test_the_report_has_a_row_per_interest_and_means(report: Report) -> None:
    text = format_report(report)
    assert "MEAN (train)" in text and "MEAN (heldout)" in text and "MEAN (all)" in text
    assert "preference optimization for LLMs" in text


def test_the_threshold_is_the_calibrated_one(papers: list[PaperDoc], labels: dict) -> None:
    assert abs(calibrate_threshold(papers, labels, "train") - THRESHOLD) <= 0.05


def test_metrics_follow_their_definitions() -> None:
    grades = {"a": 2, "b": 2, "c": 1}
    perfect = metrics(["a", "b", "c"], grades)
    assert (perfect.ndcg, perfect.precision, perfect.recall) == (1.0, 1.0, 1.0)
    half = metrics(["x", "a"], grades)
    assert half.precision == 0.5 and half.recall == 0.5 and 0 < half.ndcg < 1
    assert metrics([], grades).precision == 0.0
    assert metrics([], {}).ndcg == 1.0
