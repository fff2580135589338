"""The one cast for every test: readers, topics, papers, sources, editions and ledger rows.

factory_boy factories with only what a test names; every other field keeps the model's default.
The make_* functions are the short spellings the tests call (a positional email, title or slug).
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digest.models import Delivery, Edition, EmailEvent, Paper, Source
from subscriptions.choices import Choices
from subscriptions.models import Subscriber, Topic

DAY = dt.date(2025, 11, 25)
MORNING = dt.datetime(2025, 11, 25, 5, 0, tzinfo=dt.UTC)
ROBOT_KEYWORDS = ("robot", "manipulation", "embodied")


class TopicFactory(DjangoModelFactory):
    """A topic; one of the same slug (a seeded topic) is reused as it is."""

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.LazyAttribute(lambda topic: topic.slug.replace("-", " ").capitalize())
    keywords = factory.List(["robot learning"])
    categories = factory.List(["cs.RO"])


class ReaderFactory(DjangoModelFactory):
    """An active reader. Traits: `confirmed` (confirmed now, unless pending), `settled`
    (signed up and confirmed three days ago)."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    class Params:
        settled_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
        confirmed = factory.Trait(
            confirmed_at=factory.LazyAttribute(
                lambda r: None if r.status == Subscriber.Status.PENDING else timezone.now()
            )
        )
        settled = factory.Trait(
            created_at=factory.SelfAttribute("settled_at"),
            confirmation_sent_at=factory.SelfAttribute("settled_at"),
            confirmed_at=factory.LazyAttribute(lambda r: r.settled_at + dt.timedelta(hours=1)),
        )

    email = factory.Sequence(lambda n: f"reader{n + 1}@example.org")
    status = Subscriber.Status.ACTIVE
    interests = ""

    @factory.post_generation
    def topics(reader, create, topics, **kwargs):
        if create and topics:
            reader.topics.set(topics)


class PaperFactory(DjangoModelFactory):
    """A paper. Traits: `ranked` (five authors, upvotes and a trending score that grow with each
    paper made), `trending_today` (a robotics paper trending today)."""

    class Meta:
        model = Paper

    class Params:
        ranked = factory.Trait(
            authors=factory.List([f"Author {i}" for i in range(1, 6)]),
            upvotes=factory.Sequence(lambda n: 41 + n),
            trending_score=factory.Sequence(lambda n: float(n + 1)),
        )
        trending_today = factory.Trait(
            abstract="We study robot learning at scale.",
            categories=factory.List(["cs.RO"]),
            primary_category="cs.RO",
            trending_score=5.0,
            trending_date=factory.LazyFunction(timezone.localdate),
            why_trending="+12 upvotes today",
        )

    arxiv_id = factory.Sequence(lambda n: f"2511.{n + 1:05d}")
    canonical_id = factory.SelfAttribute("arxiv_id")
    title = "Robot learning from play"


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"source-{n + 1}")
    kind = Source.Kind.ARXIV_LISTING
    url = factory.LazyAttribute(lambda source: f"https://example.org/{source.name}")


class EditionFactory(DjangoModelFactory):
    """The edition of that frequency and date, made once."""

    class Meta:
        model = Edition
        django_get_or_create = ("frequency", "date")

    frequency = "daily"
    date = factory.LazyFunction(timezone.localdate)


class DeliveryFactory(DjangoModelFactory):
    """A ledger row; a sent one has its send time and Message-ID."""

    class Meta:
        model = Delivery

    subscriber = factory.SubFactory(ReaderFactory, settled=True)
    edition = factory.SubFactory(EditionFactory)
    status = Delivery.Status.SENT
    sent_at = factory.LazyAttribute(
        lambda row: timezone.now() if row.status == Delivery.Status.SENT else None
    )
    message_id = factory.LazyAttributeSequence(
        lambda row, n: f"<m{n + 1}@paperboy.example>" if row.status == Delivery.Status.SENT else ""
    )


class EmailEventFactory(DjangoModelFactory):
    class Meta:
        model = EmailEvent

    delivery = factory.SubFactory(DeliveryFactory)
    event_id = factory.Sequence(lambda n: f"ev-{n + 1}")
    esp_name = "postmark"
    message_id = factory.SelfAttribute("delivery.message_id")
    recipient = factory.SelfAttribute("delivery.subscriber.email")


def make_topic(
    slug: str = "robot-learning",
    name: str = "Robot learning",
    keywords: tuple[str, ...] = ROBOT_KEYWORDS,
    position: int = 0,
) -> Topic:
    """The topic exactly as given, replacing a seeded topic of the same slug."""
    topic = TopicFactory(slug=slug)
    topic.name, topic.keywords, topic.categories = name, list(keywords), []
    topic.position = position
    topic.save()
    return topic


def make_reader(email: str | None = None, **fields: object) -> Subscriber:
    """A reader as given (topics=..., interests=..., status=..., any Subscriber field or trait)."""
    return ReaderFactory(**({"email": email} if email else {}), **fields)


def signed_up_reader(email: str = "reader@example.org", **fields: object) -> Subscriber:
    """A reader who signed up for reinforcement learning and confirmed (unless pending)."""
    fields.setdefault("topics", Topic.objects.filter(slug="reinforcement-learning"))
    return ReaderFactory(email=email, confirmed=True, **fields)


def settled_reader(email: str | None = None, **fields: object) -> Subscriber:
    """A reader who signed up and confirmed three days ago."""
    return make_reader(email, settled=True, **fields)


def make_choices(**fields: object) -> Choices:
    """A reader's choices as the sign-up form would give them (daily, 7:00 UTC, 10 papers)."""
    defaults = {"topic_ids": (), "interests": "", "exclusions": "", "frequency": "daily"}
    defaults |= {"weekday": 0, "send_hour": 7, "timezone": "UTC", "max_papers": 10}
    return Choices(**{**defaults, **fields})


def make_paper(title: str, *, abstract: str = "", seen: dt.datetime = MORNING, **fields) -> Paper:
    """A ranked paper first seen on the morning of DAY (the delivery tests' edition)."""
    return PaperFactory(title=title, abstract=abstract, first_seen_at=seen, ranked=True, **fields)


def trending_paper(title: str = "Robot learning from play", **fields: object) -> Paper:
    return PaperFactory(title=title, trending_today=True, **fields)


def make_source(name: str | None = None, kind: str = Source.Kind.ARXIV_LISTING, **fields) -> Source:
    return SourceFactory(**({"name": name} if name else {}), kind=kind, **fields)


def make_edition(date: dt.date | None = None, frequency: str = "daily") -> Edition:
    return EditionFactory(frequency=frequency, **({"date": date} if date else {}))


def make_delivery(subscriber: Subscriber, on: Edition, status: str = "sent", **fields) -> Delivery:
    return DeliveryFactory(subscriber=subscriber, edition=on, status=status, **fields)


def make_event(on: Delivery, event_type: str, **fields: object) -> EmailEvent:
    return EmailEventFactory(delivery=on, event_type=event_type, **fields)


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


def disabled_channel(reader: Subscriber):
    """A Discord channel of `reader` that answered 404, as the preferences centre lists it."""
    from subscriptions import channels

    gone = channels.add_channel(
        subscriber=reader,
        kind="discord",
        label="Lab server",
        url="https://discord.com/api/webhooks/123456789/abcdefghijklmnop1234",
    )
    channels.disable(
        channel_id=gone.pk,
        reason="Discord answered 404 on 2 December 2026: the webhook was removed or its link "
        "revoked. Add the channel again with a new webhook URL.",
    )
    return gone
