from __future__ import annotations

import pytest

from digest.matching.engine import Matcher
from digest.matching.evaluation import load_labels, load_seed_papers, reference_papers
from digest.matching.profiles import PaperDoc, TopicDoc
from digest.matching.topics import load_topics


@pytest.fixture(scope="session")
def papers() -> list[PaperDoc]:
    return load_seed_papers()


@pytest.fixture(scope="session")
def labels() -> dict:
    return load_labels()


@pytest.fixture(scope="session")
def topics() -> dict[str, TopicDoc]:
    return load_topics()


@pytest.fixture(scope="session")
def matcher(papers: list[PaperDoc], labels: dict) -> Matcher:
    return Matcher(papers, reference_papers=reference_papers(labels))


@pytest.fixture(scope="session")
def titles(papers: list[PaperDoc]) -> dict[str, str]:
    return {p.id: p.title for p in papers}
