"""The committed fixtures are exactly what the generator writes from the seed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = Path(__file__).resolve().parents[2] / "bench" / "relevance" / "eval_papers.json"


@pytest.mark.skipif(not SEED.exists(), reason="seed papers not available here")
def test_committed_fixtures_match_the_generator(tmp_path):
    subprocess.run(
        [sys.executable, str(FIXTURES / "make_fixtures.py"), str(SEED), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert generated, "the generator wrote nothing"
    for relative in generated:
        assert (tmp_path / relative).read_bytes() == (FIXTURES / relative).read_bytes(), relative
