"""Followed authors: their papers are in a reader's digest whatever the matcher thinks.

Names are compared as subscriptions/authors.py says (accents, case, order and initials). A
followed paper comes first in the digest, before the matched ones, says "by Ada Lovelace, whom
you follow" (and why it also matched, if it did) and counts towards the reader's cap; one the
reader was sent before or marked is left out, as matched papers are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from digest.models import Paper
from subscriptions.authors import name_key, same_author, surname_of
from subscriptions.models import FollowedAuthor, Subscriber


def followed_papers(
    *, readers: QuerySet[Subscriber], candidates: Iterable[Paper]
) -> dict[int, dict[str, str]]:
    """reader pk -> {paper canonical id: the followed author's name}, candidates in order."""
    by_surname: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    rows = FollowedAuthor.objects.filter(subscriber__in=readers)
    for pk, key, name in rows.values_list("subscriber_id", "key", "name"):
        by_surname[surname_of(key)].append((pk, key, name))
    found: dict[int, dict[str, str]] = defaultdict(dict)
    if not by_surname:
        return found
    for paper in candidates:
        for author in paper.authors or ():
            if not isinstance(author, str):
                continue
            for pk, key, name in by_surname.get(surname_of(name_key(author)), ()):
                if same_author(key, author):
                    found[pk].setdefault(paper.canonical_id, name)
    return found


def with_followed(
    matches: list[dict], followed: dict[str, str], *, skip: set[str], cap: int
) -> list[dict]:
    """The digest list: followed papers first (with their match's reason too), then matches."""
    if not followed:
        return matches[:cap]
    matched = {m["id"]: m for m in matches}
    first = []
    for paper_id, name in followed.items():
        if paper_id in skip:
            continue
        reason = f"by {name}, whom you follow"
        match = matched.get(paper_id)
        why = f"{reason}; {match['why']}" if match and match["why"] else reason
        first.append({"id": paper_id, "score": match["score"] if match else 0.0, "why": why})
    rest = [m for m in matches if m["id"] not in followed]
    return (first + rest)[:cap]
