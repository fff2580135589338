"""The curated topics the migration loads."""

from __future__ import annotations

import pytest

from subscriptions.models import Topic

pytestmark = pytest.mark.django_db


def test_at_least_25_topics_are_seeded_with_descriptions_keywords_and_categories():
    topics = list(Topic.objects.filter(active=True))

    assert len(topics) >= 25
    for topic in topics:
        assert topic.description, topic.slug
        assert 6 <= len(topic.keywords) <= 15, topic.slug
        assert topic.categories and all("." in c or c.isalpha() for c in topic.categories)


def test_the_sign_up_page_shows_every_topic_with_its_one_line_description(client):
    page = client.get("/signup/").content.decode()

    for topic in Topic.objects.filter(active=True):
        assert f'value="{topic.slug}"' in page
        assert topic.description.replace("'", "&#x27;") in page
