"""Sign-ups never confirmed within the link lifetime are deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from subscriptions.models import Subscriber
from subscriptions.tasks import purge_stale_signups_task
from tests.subscriptions.helpers import make_reader, pinned_time

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
NOW = dt.datetime(2026, 5, 10, 3, 15, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def test_it_deletes_pending_sign_ups_older_than_the_link_lifetime_only():
    lifetime = settings.CONFIRMATION_MAX_AGE_DAYS
    stale = make_reader(
        "stale@example.org", status=Status.PENDING, created_at=days_ago(lifetime + 1)
    )
    fresh = make_reader(
        "fresh@example.org", status=Status.PENDING, created_at=days_ago(lifetime - 1)
    )
    resent = make_reader(
        "resent@example.org",
        status=Status.PENDING,
        created_at=days_ago(lifetime + 5),
        confirmation_sent_at=days_ago(1),  # a newer link is still valid
    )
    old_active = make_reader("active@example.org", created_at=days_ago(400))
    old_unsubscribed = make_reader(
        "gone@example.org", status=Status.UNSUBSCRIBED, created_at=days_ago(400)
    )

    with pinned_time(NOW):
        result = purge_stale_signups_task()

    assert result["deleted"] == 1
    remaining = set(Subscriber.objects.values_list("email", flat=True))
    assert stale.email not in remaining
    assert {fresh.email, resent.email, old_active.email, old_unsubscribed.email} <= remaining


def test_it_forgets_address_changes_that_were_never_confirmed():
    reader = make_reader(
        "me@example.org", pending_email="new@example.org", confirmation_sent_at=days_ago(10)
    )

    with pinned_time(NOW):
        purge_stale_signups_task()

    reader.refresh_from_db()
    assert reader.pending_email == ""
    assert reader.email == "me@example.org"


def test_running_it_twice_is_harmless():
    make_reader("stale@example.org", status=Status.PENDING, created_at=days_ago(30))

    with pinned_time(NOW):
        first = purge_stale_signups_task()
        second = purge_stale_signups_task()

    assert (first["deleted"], second["deleted"]) == (1, 0)
