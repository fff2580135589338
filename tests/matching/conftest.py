"""The 83 seed papers (one real Daily Papers day) with their real MiniLM vectors, the curated
topics, and one matcher over them, as editions build it (the bundled model, loaded locally)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.relevance import beir
from digest.matching.encoder import Encoder, load_encoder
from digest.matching.engine import Matcher
from digest.matching.profiles import PaperDoc, TopicDoc
from digest.matching.topics import load_topics

SEED83 = Path(__file__).resolve().parents[2] / "bench" / "relevance" / "seed83"


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return load_encoder()


@pytest.fixture(scope="session")
def seed_set(encoder: Encoder) -> beir.Dataset:
    return beir.with_vectors(beir.load(SEED83), encoder.encode)


@pytest.fixture(scope="session")
def papers(seed_set: beir.Dataset) -> list[PaperDoc]:
    return [p for pid, p in seed_set.papers.items() if seed_set.windows[pid] == "seed"]


@pytest.fixture(scope="session")
def references(seed_set: beir.Dataset) -> dict[str, PaperDoc]:
    return {pid: p for pid, p in seed_set.papers.items() if seed_set.windows[pid] == "reference"}


@pytest.fixture(scope="session")
def topics() -> dict[str, TopicDoc]:
    return load_topics()


@pytest.fixture(scope="session")
def matcher(papers: list[PaperDoc], references: dict, encoder: Encoder) -> Matcher:
    return Matcher(papers, reference_papers=references, embed=encoder.encode)


@pytest.fixture(scope="session")
def lexical_matcher(papers: list[PaperDoc], references: dict) -> Matcher:
    return Matcher(papers, reference_papers=references)


@pytest.fixture(scope="session")
def titles(papers: list[PaperDoc]) -> dict[str, str]:
    return {p.id: p.title for p in papers}
