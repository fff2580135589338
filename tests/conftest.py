"""Shared test helpers: recorded documents are read from tests/fixtures, never fetched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    """Read a recorded document by its path under tests/fixtures."""

    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read
