"""One row per paper whatever the source or version, and what each source said when."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PaperQuerySet(models.QuerySet["Paper"]):
    def trending(self) -> PaperQuerySet:
        return self.order_by("-trending_score", "-first_seen_at")


class Paper(models.Model):
    canonical_id = models.CharField(max_length=300, unique=True)
    arxiv_id = models.CharField(max_length=40, blank=True, db_index=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, help_text="As the source gave it (LaTeX kept)")
    title_display = models.CharField(max_length=500, blank=True, help_text="LaTeX rendered")
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    primary_category = models.CharField(max_length=40, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    pdf_url = models.URLField(max_length=1000, blank=True)
    github_repo = models.URLField(max_length=500, blank=True)
    github_stars = models.PositiveIntegerField(null=True, blank=True)
    project_page = models.URLField(max_length=500, blank=True)
    thumbnail = models.URLField(max_length=500, blank=True)
    upvotes = models.PositiveIntegerField(null=True, blank=True)
    num_comments = models.PositiveIntegerField(null=True, blank=True)
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)
    submitter = models.CharField(max_length=200, blank=True)
    organization = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    trending_date = models.DateField(null=True, blank=True, db_index=True)
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    trending_score = models.FloatField(default=0.0, db_index=True)
    why_trending = models.CharField(max_length=300, blank=True)
    score_updated_at = models.DateTimeField(null=True, blank=True)
    # Unit sentence embedding of "title. abstract" (float32 bytes), computed once after ingest;
    # `embedding_model` names the model that made it, so a changed model recomputes it.
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_model = models.CharField(max_length=100, blank=True, editable=False)
    # Its title and abstract sentences embedded apart (matching/sentences.py), float16 bytes,
    # one row each; made with `embedding` by the same model.
    sentence_embeddings = models.BinaryField(null=True, blank=True, editable=False)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-trending_score", "-first_seen_at"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title_display or self.title

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.arxiv_id}" if self.arxiv_id else ""


class PaperSighting(models.Model):
    """Which source saw which paper, first and last."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="sightings")
    source = models.ForeignKey("digest.Source", on_delete=models.CASCADE, related_name="sightings")
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "source"], name="sighting_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} seen by {self.source_id}"


class SignalSnapshot(models.Model):
    """Community signals at one ingest, so velocity over a day and a week is known."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField(default=timezone.now)
    upvotes = models.PositiveIntegerField(null=True, blank=True)
    github_stars = models.PositiveIntegerField(null=True, blank=True)
    num_comments = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["paper", "taken_at"])]
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"{self.paper_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class TextEmbedding(models.Model):
    """The vector of one interest or topic text under one model: each distinct text is embedded
    once, whatever number of readers typed it, and again only when the model changes."""

    model = models.CharField(max_length=100)
    key = models.CharField(max_length=64, help_text="sha256 of the text")
    vector = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="unique_text_embedding")
        ]

    def __str__(self) -> str:
        return f"{self.model}:{self.key[:12]}"
