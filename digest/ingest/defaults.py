"""The production sources an operator starts with (created on request, never by tests)."""

from __future__ import annotations

from django.conf import settings

from digest.models import Source

HF_DAILY_URL = "https://huggingface.co/api/daily_papers?date={date}&limit=50"
ARXIV_LISTING_URL = "https://rss.arxiv.org/atom/{categories}"


def default_sources() -> list[Source]:
    """Unsaved: Hugging Face Daily Papers, and the arXiv listing of INGEST_ARXIV_CATEGORIES."""
    categories = settings.INGEST_ARXIV_CATEGORIES
    return [
        Source(name="hf-daily-papers", kind=Source.Kind.HF_DAILY, url=HF_DAILY_URL),
        Source(
            name="arxiv-" + categories.lower().replace("+", "-").replace(".", ""),
            kind=Source.Kind.ARXIV_LISTING,
            url=ARXIV_LISTING_URL.format(categories=categories),
        ),
    ]


def ensure_default_sources() -> list[Source]:
    """Create the default sources that do not exist yet (by name); return the ones created."""
    existing = set(Source.objects.values_list("name", flat=True))
    missing = [source for source in default_sources() if source.name not in existing]
    Source.objects.bulk_create(missing, ignore_conflicts=True)
    return missing
