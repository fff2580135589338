"""Editions: the shared part of a digest computed once, and each reader's ledger row.

`build_edition` is safe to run any number of times: the Edition is unique per (frequency, date)
and Delivery rows are created with `ignore_conflicts`, so a reader who already has a row keeps it
(and whatever was sent stays sent). Matching runs once per call for all readers, with readers
whose profiles are identical sharing one result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from digest.embeddings import (
    embed_papers,
    encoder_or_none,
    sentence_vectors_of,
    text_vectors,
    vector_of,
)
from digest.following import followed_papers, with_followed
from digest.matching import PaperDoc, ReaderProfile, TopicDoc, match_profiles
from digest.matching.encoder import Encoder
from digest.models import Delivery, Edition, Paper, SentPaper
from subscriptions.models import Feedback, Subscriber, Topic

# Extra matches asked of the matcher beyond a reader's cap, so dropping papers a reader was
# already sent (never resend) still leaves a full digest.
RESEND_SLACK = 20
WINDOW_DAYS = {
    Edition.Frequency.DAILY: 2,  # 48 h ending at the end of the date; SentPaper does the rest
    Edition.Frequency.WEEKLY: 7,  # the 7 days ending on the date: "top of the week"
    Edition.Frequency.WELCOME: 7,  # a new reader's first digest: the best of the past week
}


@dataclass
class EditionBuild:
    edition: Edition
    created: int  # Delivery rows created by this call
    skipped: int  # of which skipped (no matches, paused, suppressed)
    candidates: int


def edition_window(*, frequency: str, date: dt.date) -> tuple[dt.datetime, dt.datetime]:
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return end - dt.timedelta(days=WINDOW_DAYS[frequency]), end


def candidate_papers(*, frequency: str, date: dt.date) -> QuerySet[Paper]:
    """Papers first seen in the window, or listed as trending on one of its days."""
    start, end = edition_window(frequency=frequency, date=date)
    first_day = date - dt.timedelta(days=WINDOW_DAYS[frequency] - 1)
    return Paper.objects.filter(
        Q(first_seen_at__gte=start, first_seen_at__lt=end)
        | Q(trending_date__gte=first_day, trending_date__lte=date)
    )


def paper_doc(paper: Paper, encoder: Encoder | None = None) -> PaperDoc:
    return PaperDoc(
        id=paper.canonical_id,
        title=paper.display_title,
        abstract=paper.abstract,
        keywords=tuple(paper.ai_keywords or ()),
        categories=tuple(paper.categories or ()),
        trending_score=paper.trending_score,
        vector=vector_of(paper, encoder),
        sentence_vectors=sentence_vectors_of(paper, encoder),
    )


def paper_docs(papers: list[Paper]) -> list[PaperDoc]:
    """Matching inputs for these papers, each with its vector (embedding any left without one,
    e.g. when the embedding task has not run yet)."""
    encoder = encoder_or_none()
    if encoder is not None and embed_papers(papers):
        papers = list(Paper.objects.filter(pk__in=[p.pk for p in papers]))
    return [paper_doc(p, encoder) for p in papers]


def topic_doc(topic: Topic) -> TopicDoc:
    return TopicDoc(
        slug=topic.slug,
        name=topic.name,
        description=topic.description,
        keywords=tuple(topic.keywords or ()),
        categories=tuple(topic.categories or ()),
    )


def reader_profiles(readers: QuerySet[Subscriber]) -> dict[int, ReaderProfile]:
    """One ReaderProfile per reader: topics, own words, exclusions and feedback."""
    topics = {t.pk: topic_doc(t) for t in Topic.objects.all()}
    chosen: dict[int, list[TopicDoc]] = defaultdict(list)
    through = Subscriber.topics.through.objects.filter(subscriber__in=readers)
    for subscriber_id, topic_id in through.values_list("subscriber_id", "topic_id"):
        chosen[subscriber_id].append(topics[topic_id])
    liked: dict[int, list[str]] = defaultdict(list)
    disliked: dict[int, list[str]] = defaultdict(list)
    imported: dict[int, list[str]] = defaultdict(list)
    feedback = Feedback.objects.filter(subscriber__in=readers)
    for subscriber_id, paper_id, value, origin in feedback.values_list(
        "subscriber_id", "paper__canonical_id", "value", "origin"
    ):
        (liked if value > 0 else disliked)[subscriber_id].append(paper_id)
        if value > 0 and origin == Feedback.Origin.LIBRARY:
            imported[subscriber_id].append(paper_id)
    return {
        pk: ReaderProfile(
            topics=tuple(sorted(chosen[pk], key=lambda t: t.slug)),
            interests=interests.strip(),
            exclusions=exclusions.strip(),
            liked=tuple(sorted(liked[pk])),
            disliked=tuple(sorted(disliked[pk])),
            library=tuple(sorted(imported[pk])),
        )
        for pk, interests, exclusions in readers.values_list("pk", "interests", "exclusions")
    }


def _sent_before(readers: QuerySet[Subscriber], candidates: list[Paper]) -> dict[int, set[str]]:
    """Canonical ids already sent to each reader, among this edition's candidates."""
    sent: dict[int, set[str]] = defaultdict(set)
    rows = SentPaper.objects.filter(paper__in=candidates, subscriber__in=readers)
    for subscriber_id, canonical_id in rows.values_list("subscriber_id", "paper__canonical_id"):
        sent[subscriber_id].add(canonical_id)
    return sent


def match_readers(
    *, readers: QuerySet[Subscriber], candidates: list[Paper]
) -> dict[int, list[dict]]:
    """Each reader's digest papers [{id, score, why}], best first, never a paper sent before."""
    # `readers` is re-evaluated by every query below. A concurrent build_edition may give some
    # of them a Delivery row in between, so the first answer fixes who is matched here.
    caps = dict(readers.values_list("pk", "max_papers"))
    profiles = {pk: p for pk, p in reader_profiles(readers).items() if pk in caps}
    if not profiles:
        return {}
    distinct = list(dict.fromkeys(profiles.values()))
    referenced = {i for p in distinct for i in (*p.liked, *p.disliked)}
    references = paper_docs(list(Paper.objects.filter(canonical_id__in=referenced)))
    results = match_profiles(
        paper_docs(candidates),
        distinct,
        {doc.id: doc for doc in references},
        max(caps.values()) + RESEND_SLACK,
        embed=text_vectors(),
    )
    by_profile = dict(zip(distinct, results, strict=True))
    sent = _sent_before(readers, candidates)
    followed = followed_papers(readers=readers, candidates=candidates)
    digests: dict[int, list[dict]] = {}
    for pk, profile in profiles.items():
        fresh = [m for m in by_profile[profile] if m.paper_id not in sent[pk]]
        matched = [{"id": m.paper_id, "score": round(m.score, 4), "why": m.why} for m in fresh]
        skip = sent[pk] | {*profile.liked, *profile.disliked}
        digests[pk] = with_followed(matched, followed.get(pk, {}), skip=skip, cap=caps[pk])
    return digests


def _get_edition(*, frequency: str, date: dt.date) -> Edition:
    start, end = edition_window(frequency=frequency, date=date)
    edition, _ = Edition.objects.get_or_create(
        frequency=frequency, date=date, defaults={"window_start": start, "window_end": end}
    )
    return edition


def build_edition(
    *,
    frequency: str,
    date: dt.date,
    readers: QuerySet[Subscriber] | None = None,
) -> EditionBuild:
    """Get or create the edition and a Delivery row for each reader who has none yet.

    `readers` defaults to every reader of this frequency who receives mail on `date`; paused
    and suppressed readers get a `skipped` row saying why, so operators can see it.
    """
    edition = _get_edition(frequency=frequency, date=date)
    if readers is None:
        readers = Subscriber.objects.filter(frequency=frequency)
    readers = readers.exclude(deliveries__edition=edition)
    receiving = readers.filter(pk__in=Subscriber.objects.receiving(date).values("pk"))
    candidates = list(candidate_papers(frequency=frequency, date=date).order_by("pk"))
    if [p.canonical_id for p in candidates] != edition.paper_ids:
        edition.paper_ids = [p.canonical_id for p in candidates]
        edition.save(update_fields=["paper_ids"])
    digests = match_readers(readers=receiving, candidates=candidates)
    rows = [
        Delivery(subscriber_id=pk, edition=edition, papers=papers)
        if papers
        else Delivery(
            subscriber_id=pk,
            edition=edition,
            status=Delivery.Status.SKIPPED,
            reason="no matching papers",
        )
        for pk, papers in digests.items()
    ]
    rows += [
        Delivery(
            subscriber_id=pk,
            edition=edition,
            status=Delivery.Status.SKIPPED,
            reason=_not_receiving_reason(status, paused_until, suppression_reason),
        )
        for pk, status, paused_until, suppression_reason in readers.filter(
            status__in=[Subscriber.Status.PAUSED, Subscriber.Status.SUPPRESSED]
        )
        .exclude(pk__in=receiving.values("pk"))
        .values_list("pk", "status", "paused_until", "suppression_reason")
    ]
    # Readers with a row were excluded above; ignore_conflicts covers a concurrent build.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return EditionBuild(
        edition=edition,
        created=len(rows),
        skipped=sum(r.status == Delivery.Status.SKIPPED for r in rows),
        candidates=len(candidates),
    )


def _not_receiving_reason(status: str, paused_until: dt.date | None, why: str) -> str:
    if status == Subscriber.Status.PAUSED:
        return f"paused until {paused_until:%Y-%m-%d}" if paused_until else "paused"
    return f"suppressed: {why}" if why else "suppressed"
