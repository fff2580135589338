"""`manage.py load_demo`: the recorded demo papers, scored, ready for the home page. Safe twice."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from digest.embeddings import embed_papers
from digest.ingest.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo papers (demo/hf_daily.json) dated today, score and embed them."

    def handle(self, *args, **options) -> None:
        run = load_demo(now=timezone.now())
        embed_papers()  # the home page's preview and the digests match on stored vectors
        self.stdout.write(
            f"demo papers: {run.new} new, {run.updated} updated, {run.unchanged} unchanged, "
            f"{run.skipped} skipped"
        )
