from __future__ import annotations

import datetime as dt
import json

import pytest

from digest.ingest.sources import hf_daily
from digest.ingest.sources.records import SourceError


@pytest.fixture
def result(fixture_bytes):
    return hf_daily.parse(fixture_bytes("hf_daily.json"))


def by_id(result, canonical_id):
    return next(record for record in result.records if record.canonical_id == canonical_id)


def test_it_reads_every_seed_paper(result):
    assert len(result.records) == 83
    assert result.skipped == 0
    assert result.warnings == []


def test_it_keeps_the_fields_of_a_paper_exactly(result):
    record = by_id(result, "2406.04806")
    assert record.title == (
        "Streaming Diffusion Policy: Fast Policy Synthesis with Variable Noise Diffusion Models"
    )
    assert record.authors == ["Sigmund H. Høeg", "Yilun Du", "Olav Egeland"]
    assert record.arxiv_id == "2406.04806"
    assert record.url == "https://arxiv.org/abs/2406.04806"
    assert record.pdf_url == "https://arxiv.org/pdf/2406.04806"
    assert record.published_at == dt.datetime(2024, 6, 7, tzinfo=dt.UTC)
    assert record.trending_date == dt.date(2025, 3, 5)
    assert record.upvotes == 100
    assert record.num_comments == 0
    assert record.submitter == "Paperboy Fixtures"
    assert record.thumbnail.endswith("/papers/2406.04806.png")
    assert record.ai_summary.startswith("Diffusion models have seen rapid adoption")


def test_it_reads_code_links_and_stars(result):
    record = by_id(result, "2412.02261")
    assert record.github_repo == "https://github.com/jingyugong/DIP"
    assert record.github_stars == 820


def test_it_renders_latex_titles_for_people_and_keeps_the_source(result):
    coder = by_id(result, "2310.03173")
    assert coder.title.startswith("$\\mathcal{B}$-Coder")
    assert coder.title_display.startswith("𝓑-Coder: Value-Based")
    assert by_id(result, "2501.12051").title_display.startswith("MedS³: Towards")


def test_a_paper_without_authors_has_an_empty_author_list(result):
    assert by_id(result, "2306.13700").authors == []


def test_it_reads_optional_fields_from_the_documented_example():
    item = {
        "paper": {
            "id": "2602.23229",
            "authors": [{"_id": "x", "name": "Marco Garosi", "hidden": True}],
            "title": "Large Multimodal Models as General In-Context Classifiers",
            "summary": "Which multimodal model should we use for classification?",
            "submittedOnDailyAt": "2026-03-06T03:55:12.777Z",
            "projectPage": "https://circle-lmm.github.io/",
            "ai_keywords": ["Vision-Language Models", "in-context learning"],
        },
        "organization": {"name": "unitn", "fullname": "University of Trento"},
    }
    record = hf_daily.parse(json.dumps([item]).encode()).records[0]
    assert record.authors == ["Marco Garosi"]  # hidden authors are kept: names are public
    assert record.project_page == "https://circle-lmm.github.io"
    assert record.ai_keywords == ["Vision-Language Models", "in-context learning"]
    assert record.organization == "University of Trento"
    assert record.trending_date == dt.date(2026, 3, 6)


def test_an_empty_array_is_an_empty_result():
    assert hf_daily.parse(b"[]").records == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("hostile/hf_not_json.html", "not JSON"),
        ("hostile/hf_error_object.json", "Invalid date format"),
        ("hostile/hf_latin1.json", "not UTF-8"),
    ],
)
def test_it_refuses_answers_that_are_not_a_papers_array(fixture_bytes, name, message):
    with pytest.raises(SourceError, match=message):
        hf_daily.parse(fixture_bytes(name))


def test_it_refuses_a_json_object_without_an_error():
    with pytest.raises(SourceError, match="not an array"):
        hf_daily.parse(b'{"papers": []}')
