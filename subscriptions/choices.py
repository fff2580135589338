"""A reader's digest choices, in the one shape the sign-up form, the preferences centre, the
account-mail task and a sign-up waiting for its owner (`Subscriber.pending_choices`) share."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar

from subscriptions.models import Subscriber, Topic


@dataclass(frozen=True, kw_only=True)
class Choices:
    topic_ids: tuple[int, ...]
    interests: str
    exclusions: str
    frequency: str
    weekday: int
    send_hour: int
    timezone: str
    max_papers: int

    # The Subscriber fields they set (topics are a relation, set apart).
    FIELDS: ClassVar[tuple[str, ...]] = (
        "interests",
        "exclusions",
        "frequency",
        "weekday",
        "send_hour",
        "timezone",
        "max_papers",
    )

    @classmethod
    def from_form(cls, data: dict) -> Choices:
        """From a ChoicesForm's cleaned_data (topics as a queryset)."""
        return cls(
            topic_ids=tuple(topic.pk for topic in data["topics"]),
            **{name: data[name] for name in cls.FIELDS},
        )

    @classmethod
    def from_json(cls, data: dict) -> Choices:
        """From `to_json()`: a task's arguments or a reader's `pending_choices`."""
        return cls(
            topic_ids=tuple(data.get("topics", ())), **{name: data[name] for name in cls.FIELDS}
        )

    def to_json(self) -> dict:
        values = asdict(self)
        return {"topics": list(values.pop("topic_ids")), **values}

    def apply(self, subscriber: Subscriber) -> None:
        """Store them on the reader; the owner's own choices replace any an anonymous sign-up
        left waiting. Call inside a transaction."""
        for name in self.FIELDS:
            value = getattr(self, name)
            setattr(subscriber, name, value.strip() if isinstance(value, str) else value)
        subscriber.pending_choices = {}
        subscriber.save(update_fields=[*self.FIELDS, "pending_choices", "updated_at"])
        subscriber.topics.set(Topic.objects.filter(pk__in=self.topic_ids))
