"""Every reader's digest list for N synthetic readers x M papers: time and peak memory.

Readers with identical preferences are grouped and scored once with sparse matrix products
(digest.matching.engine.Matcher, the same code that builds real editions).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, TextIO

from bench.match_readers import run_match_benchmark


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--readers", type=int, default=1_000_000)
    parser.add_argument("--papers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)


def run(*, stdout: TextIO, readers: int, papers: int, seed: int, **options: Any) -> dict:
    figures = run_match_benchmark(readers, papers, seed)
    for key, value in figures.items():
        shown = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        stdout.write(f"{key:>22}: {shown}\n")
    stdout.write("targets: seconds_total <= 60, peak_rss_mb <= 2048\n")
    return figures
