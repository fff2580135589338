"""`manage.py evaluate_matching`: the real matcher beside tf-idf, BM25 and semantic-only baselines.

Without --dataset: our own graded set (bench/relevance/paperboy, the test split reported apart)
and the older 83-paper set (bench/relevance/seed83). With --dataset DIR: any set in the BEIR
layout (see bench/relevance/beir.py); --more-like-this reads each query id as a corpus paper the
reader marked "more like this"; --as-library makes the marked papers seeds from the reader's
library (what a pasted id or an imported BibTeX entry becomes); --rerank matches each query
against only the papers its qrels grade (benchmarks that give every query its own candidate
list, such as expert-graded paper similarity), not the whole corpus. Paper vectors are
computed once per model and kept under var/.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.relevance import beir, evaluate
from digest.embeddings import encoder_or_none

OWN_SETS = [Path(settings.BASE_DIR) / "bench" / "relevance" / n for n in ("paperboy", "seed83")]


class Command(BaseCommand):
    help = "Evaluate matching (nDCG@10/@20, precision, recall, empty digests) against baselines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dataset", help="a folder in the BEIR layout")
        parser.add_argument(
            "--more-like-this",
            action="store_true",
            help="each query id is a corpus paper the reader marked",
        )
        parser.add_argument(
            "--as-library",
            action="store_true",
            help="marked papers arrive as library seeds (pasted ids, BibTeX) instead of votes",
        )
        parser.add_argument(
            "--rerank",
            action="store_true",
            help="each query's candidates are only the papers graded for it",
        )
        parser.add_argument(
            "--split", action="append", help="only these splits (qrels file names); repeatable"
        )
        parser.add_argument("--summary", action="store_true", help="means only, no per-query rows")

    def handle(self, *args, **options) -> None:
        folders = [Path(options["dataset"])] if options["dataset"] else OWN_SETS
        encoder = encoder_or_none()
        for folder in folders:
            try:
                dataset = beir.load(
                    folder, more_like_this=options["more_like_this"], rerank=options["rerank"]
                )
            except (OSError, KeyError, ValueError) as exc:
                raise CommandError(f"{folder}: not a readable BEIR folder ({exc})") from exc
            cache = None
            if encoder is not None:
                cache_path = Path(settings.VAR_DIR) / "relevance-vectors" / f"{encoder.name}.npz"
                cache = beir.VectorCache(cache_path, encoder)
                dataset = beir.with_vectors(dataset, cache)
            splits = set(options["split"]) if options["split"] else None
            results = evaluate.run(
                dataset, embed=cache, splits=splits, as_library=options["as_library"]
            )
            if cache is not None:
                cache.save()
            mode = "hybrid" if cache is not None else "lexical only (SEMANTIC_MATCHING off)"
            self.stdout.write(f"== {folder.name}: {len(results)} queries, {mode}")
            self.stdout.write(evaluate.format_report(results, per_query=not options["summary"]))
