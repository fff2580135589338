"""An operator's look at one reader's next digest, and a test send of it to any address.

Both run the real edition code (candidate papers, matching, never-resend) for the reader's next
edition date, and change nothing: no Edition, Delivery or SentPaper row is written.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from digest.delivery.message import digest_mail
from digest.editions import candidate_papers, match_readers
from digest.logs import log_event, mask_email
from digest.models import Delivery, Edition, Paper
from digest.schedule import next_edition_date
from subscriptions import emails
from subscriptions.models import Subscriber


def preview_next_digest(*, subscriber: Subscriber, date: dt.date) -> list[dict]:
    """The papers the reader would get in the edition of `date`, best first:
    [{id, title, score, why}]. `date` is usually `next_edition_date(...)`."""
    candidates = list(candidate_papers(frequency=subscriber.frequency, date=date).order_by("pk"))
    readers = Subscriber.objects.filter(pk=subscriber.pk)
    digest = match_readers(readers=readers, candidates=candidates).get(subscriber.pk, [])
    titles = {paper.canonical_id: paper.display_title for paper in candidates}
    return [
        {"id": item["id"], "title": titles[item["id"]], "score": item["score"], "why": item["why"]}
        for item in digest
    ]


def send_test_digest(*, subscriber: Subscriber, to: str, now: dt.datetime | None = None) -> str:
    """Send the reader's next digest, as they would see it, to `to`; return the Message-ID.

    The test carries no List-Unsubscribe headers: a one-click unsubscribe pressed in the
    operator's mailbox must not unsubscribe the reader.
    """
    date = next_edition_date(subscriber=subscriber, now=now or timezone.now())
    items = preview_next_digest(subscriber=subscriber, date=date)
    edition = Edition(frequency=subscriber.frequency, date=date)
    delivery = Delivery(subscriber=subscriber, edition=edition, papers=items)
    papers = {
        p.canonical_id: p for p in Paper.objects.filter(canonical_id__in=[i["id"] for i in items])
    }
    message = digest_mail(
        delivery=delivery,
        subscriber=subscriber,
        edition=edition,
        papers=papers,
        topic_names=list(subscriber.topics.values_list("name", flat=True)),
    )
    message.context.update(
        unsubscribe_url=emails.unsubscribe_url(subscriber),
        manage_url=emails.manage_url(subscriber),
        view_url=emails.absolute_url(reverse("ops:preview", args=[subscriber.pk])),
    )
    message.to = to
    message.subscriber = None
    message.idempotency_key = ""
    message.tags = [*message.tags, "test"]
    message.metadata = {"test": "true", "subscriber": str(subscriber.pk)}
    message_id = emails.send(message)
    log_event(
        "digest.test_sent",
        subscriber=subscriber.pk,
        to=mask_email(to),
        papers=len(items),
        edition_date=date.isoformat(),
    )
    return message_id
