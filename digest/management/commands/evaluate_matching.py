"""`manage.py evaluate_matching`: nDCG@10, precision and recall on the labelled set, vs tf-idf."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from digest.matching.evaluation import evaluate, format_report, load_labels, load_seed_papers


class Command(BaseCommand):
    help = "Evaluate matching on the labelled interests (digest/matching/labels.json)."

    def handle(self, *args, **options) -> None:
        report = evaluate(load_seed_papers(), load_labels())
        self.stdout.write(format_report(report))
