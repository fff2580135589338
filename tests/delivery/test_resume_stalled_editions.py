"""The recovery beat re-enqueues an edition nobody is sending, and leaves one being sent alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digest.editions import build_edition
from digest.models import Delivery, Edition
from digest.tasks import recover_deliveries
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(settings) -> Edition:
    settings.SEND_BATCH_SIZE = 2
    settings.SENDING_STALE_MINUTES = 3
    topic = make_topic()
    robot_papers(2)
    for i in range(4):
        make_reader(f"r{i}@example.org", topics=(topic,))
    built = build_edition(frequency="daily", date=DAY).edition
    Edition.objects.filter(pk=built.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    return built


def batches_enqueued(capture, *, now: dt.datetime) -> int:
    with capture(execute=False) as callbacks:
        recover_deliveries(now=now.isoformat())
    return len(callbacks)


def test_an_edition_whose_batches_died_is_enqueued_again(
    edition, django_capture_on_commit_callbacks
):
    now = timezone.now()
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(
        status="sending", claimed_at=now - dt.timedelta(minutes=10)
    )

    assert batches_enqueued(django_capture_on_commit_callbacks, now=now) == 2
    assert Delivery.objects.filter(status="pending").count() == 4  # the stale row came back


def test_an_edition_being_sent_is_left_alone(edition, django_capture_on_commit_callbacks):
    now = timezone.now()
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(
        status="sent", claimed_at=now - dt.timedelta(seconds=20)
    )

    assert batches_enqueued(django_capture_on_commit_callbacks, now=now) == 0


def test_a_just_built_edition_is_left_to_its_own_batches(
    edition, django_capture_on_commit_callbacks
):
    Edition.objects.filter(pk=edition.pk).update(created_at=timezone.now())

    assert batches_enqueued(django_capture_on_commit_callbacks, now=timezone.now()) == 0
