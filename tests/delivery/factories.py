"""Small builders for delivery tests: topics, papers and readers with only what a test names."""

from __future__ import annotations

import datetime as dt
import itertools

from digest.models import Paper
from subscriptions.models import Subscriber, Topic

_ids = itertools.count(1)
DAY = dt.date(2025, 11, 25)
MORNING = dt.datetime(2025, 11, 25, 5, 0, tzinfo=dt.UTC)


def make_topic(
    slug: str = "robot-learning",
    name: str = "Robot learning",
    keywords: tuple[str, ...] = ("robot", "manipulation", "embodied"),
    position: int = 0,
) -> Topic:
    """The topic exactly as given, replacing a seeded topic of the same slug."""
    topic, _ = Topic.objects.update_or_create(
        slug=slug,
        defaults={"name": name, "keywords": list(keywords), "categories": [], "position": position},
    )
    return topic


def make_paper(title: str, *, abstract: str = "", seen: dt.datetime = MORNING, **fields) -> Paper:
    n = next(_ids)
    fields.setdefault("arxiv_id", f"2511.{n:05d}")
    fields.setdefault("canonical_id", fields["arxiv_id"])
    fields.setdefault("authors", [f"Author {i}" for i in range(1, 6)])
    fields.setdefault("upvotes", 40 + n)
    fields.setdefault("trending_score", float(n))
    return Paper.objects.create(title=title, abstract=abstract, first_seen_at=seen, **fields)


def make_reader(
    email: str,
    *,
    topics: tuple[Topic, ...] = (),
    interests: str = "",
    status: str = Subscriber.Status.ACTIVE,
    **fields,
) -> Subscriber:
    reader = Subscriber.objects.create(email=email, status=status, interests=interests, **fields)
    reader.topics.set(topics)
    return reader


# Distinct enough that near-duplicate removal keeps every one.
ROBOT_SKILLS = [
    "cloth folding",
    "peg insertion",
    "drawer opening",
    "cable routing",
    "dish washing",
    "block stacking",
    "door opening",
    "shelf restocking",
    "fruit picking",
    "knot tying",
    "screw driving",
    "bottle pouring",
    "box packing",
    "laundry sorting",
    "tool handover",
    "whiteboard wiping",
    "egg cracking",
    "plant watering",
    "bed making",
    "lego assembly",
    "bin picking",
    "table setting",
    "window cleaning",
    "zipper closing",
    "coffee brewing",
]


def robot_papers(count: int) -> list[Paper]:
    return [
        make_paper(
            f"Diffusion policies for robot manipulation: {ROBOT_SKILLS[i]}",
            abstract="We train a robot to grasp objects with diffusion policies. " * 3,
            ai_summary=f"A robot learns manipulation skill {i} from few demonstrations.",
            github_repo="https://github.com/example/robots",
            github_stars=100 + i,
            why_trending="+40 upvotes today",
        )
        for i in range(count)
    ]
