"""The channel ledger against a real HTTP server: one post per channel per edition, retried,
crash-safe, at most once when the answer never came, and gone webhooks disabled."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digest.channels import ledger
from digest.channels.runs import create_posts, prepare_posts, stalled_posts
from digest.channels.send import post_batch
from digest.models import ChannelPost, Delivery
from digest.tasks import send_channel_posts
from subscriptions import services
from subscriptions.models import Channel
from subscriptions.tokens import subscriber_token
from tests import factories as f
from tests.channels.conftest import add_channel, edition_for

pytestmark = pytest.mark.django_db
Status = ChannelPost.Status


@pytest.fixture
def reader():
    return f.settled_reader("ada@example.org")


@pytest.fixture
def slack(reader, webhooks):
    return add_channel(reader, f"{webhooks.url}/services/T1/B1/secret-token-1", label="#papers")


def one_post(channel):
    edition, _ = edition_for(channel.subscriber)
    create_posts(deliveries=Delivery.objects.filter(edition=edition))
    return ChannelPost.objects.get(channel=channel, edition=edition)


def test_an_edition_is_posted_once_in_the_platforms_format(slack, webhooks) -> None:
    post = one_post(slack)
    assert post_batch(post_ids=[post.pk]).sent == 1
    post.refresh_from_db()
    assert post.status == Status.SENT and post.sent_at and post.attempts == 1
    [body] = webhooks.to("/services/T1/B1/secret-token-1")
    assert body["blocks"][0]["type"] == "header"
    assert "Robot learning from play" in str(body["blocks"][1])


def test_running_the_batch_or_building_posts_twice_posts_once(slack, webhooks) -> None:
    post = one_post(slack)
    create_posts(deliveries=Delivery.objects.all())
    assert ChannelPost.objects.count() == 1
    send_channel_posts.apply(kwargs={"post_ids": [post.pk]})
    send_channel_posts.apply(kwargs={"post_ids": [post.pk]})
    assert len(webhooks.bodies) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_post_post_it_once(webhooks) -> None:
    channel = add_channel(f.settled_reader(), f"{webhooks.url}/services/T/B/race")
    post = one_post(channel)
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        try:
            post_batch(post_ids=[post.pk])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(webhooks.bodies) == 1
    assert ChannelPost.objects.get().status == Status.SENT


@pytest.mark.parametrize("answer", [429, 500, 503])
def test_a_slow_down_or_server_error_is_retried_then_sent(slack, webhooks, answer) -> None:
    post = one_post(slack)
    webhooks.answers = [answer]
    first = post_batch(post_ids=[post.pk])
    assert first.retry == [post.pk]
    post.refresh_from_db()
    assert post.status == Status.PENDING and f"answered {answer}" in post.reason
    if answer == 429:
        assert first.retry_after == 1.0
    assert post_batch(post_ids=[post.pk]).sent == 1


def test_retries_stop_after_the_attempts_limit(slack, webhooks, settings) -> None:
    settings.SEND_MAX_ATTEMPTS = 2
    post = one_post(slack)
    webhooks.default = 500
    post_batch(post_ids=[post.pk])
    post_batch(post_ids=[post.pk])
    post.refresh_from_db()
    assert post.status == Status.FAILED and "gave up after 2 attempts" in post.reason


def test_a_server_that_is_not_listening_leaves_the_post_pending(reader, settings) -> None:
    settings.CHANNEL_ALLOW_LOOPBACK_HTTP = True
    with socket_closed_port() as port:
        channel = add_channel(reader, f"http://127.0.0.1:{port}/services/T/B/x")
        post = one_post(channel)
        assert post_batch(post_ids=[post.pk]).retry == [post.pk]
    post.refresh_from_db()
    assert post.status == Status.PENDING and "could not connect" in post.reason


@pytest.mark.parametrize("answer", [404, 410])
def test_a_gone_webhook_disables_the_channel_with_a_note_the_reader_sees(
    reader, slack, webhooks, answer
) -> None:
    post = one_post(slack)
    webhooks.default = answer
    assert post_batch(post_ids=[post.pk]).failed == 1
    slack.refresh_from_db()
    assert slack.status == Channel.Status.DISABLED
    assert f"answered {answer}" in slack.disabled_reason
    page = Client().get(reverse("subscriptions:manage", args=[subscriber_token("manage", reader)]))
    html = page.content.decode()
    assert "Disabled: Slack answered" in html and "Add the channel again" in html
    # The next edition is not posted to it.
    tomorrow = f.make_edition(timezone.localdate() + dt.timedelta(days=1))
    f.make_delivery(reader, tomorrow, status="pending", papers=[])
    create_posts(deliveries=Delivery.objects.filter(edition=tomorrow))
    assert not ChannelPost.objects.filter(edition=tomorrow).exists()


@pytest.mark.parametrize("answer", ["hang", "drop"])
def test_no_answer_after_the_request_left_is_ambiguous_and_never_reposted(
    slack, webhooks, answer
) -> None:
    post = one_post(slack)
    webhooks.answers = [answer]
    assert post_batch(post_ids=[post.pk]).failed == 1
    post.refresh_from_db()
    assert post.status == Status.FAILED and post.reason.startswith("ambiguous")
    post_batch(post_ids=[post.pk])
    prepare_posts()
    assert len(webhooks.bodies) == 1


def test_a_crash_before_the_request_reposts_and_after_it_settles_ambiguous(
    reader, webhooks, settings
) -> None:
    before = add_channel(reader, f"{webhooks.url}/services/T/B/before")
    after = add_channel(reader, f"{webhooks.url}/services/T/B/after")
    edition, _ = edition_for(reader)
    create_posts(deliveries=Delivery.objects.filter(edition=edition))
    long_ago = timezone.now() - dt.timedelta(minutes=settings.SENDING_STALE_MINUTES + 1)
    ChannelPost.objects.update(created_at=long_ago)  # built before the crash
    ChannelPost.objects.filter(channel=before).update(status=Status.SENDING, claimed_at=long_ago)
    ChannelPost.objects.filter(channel=after).update(status=Status.HANDED_OVER, claimed_at=long_ago)
    [batch] = stalled_posts()
    assert ChannelPost.objects.get(channel=before).status == Status.PENDING
    crashed = ChannelPost.objects.get(channel=after)
    assert crashed.status == Status.FAILED and "ambiguous after crash" in crashed.reason
    post_batch(post_ids=batch)
    assert [path for path, _ in webhooks.bodies] == ["/services/T/B/before"]


def test_a_poster_overtaken_by_the_stale_rule_posts_nothing(slack, webhooks) -> None:
    post = one_post(slack)
    stale = ledger.claim(post.pk, receiving_on=post.edition.date)
    ChannelPost.objects.filter(pk=post.pk).update(status=Status.PENDING)  # the rule put it back
    fresh = ledger.claim(post.pk, receiving_on=post.edition.date)
    assert fresh is not None and fresh.claimed_at != stale.claimed_at
    assert not ledger.hand_over(stale)
    assert ledger.hand_over(fresh)


@pytest.mark.parametrize("stop", ["unsubscribe", "pause"])
def test_readers_who_stop_their_mail_get_no_posts(reader, slack, webhooks, stop) -> None:
    post = one_post(slack)
    if stop == "unsubscribe":
        services.unsubscribe(subscriber_id=reader.pk)
    else:
        services.pause(subscriber_id=reader.pk, until=timezone.localdate() + dt.timedelta(days=9))
    assert post_batch(post_ids=[post.pk]).skipped == 1
    assert webhooks.bodies == []
    assert ChannelPost.objects.get().status == Status.SKIPPED


def test_skipped_email_rows_get_no_posts_and_new_channels_wait_for_the_next_edition(
    reader, webhooks
) -> None:
    channel = add_channel(reader, f"{webhooks.url}/services/T/B/x")
    edition = f.make_edition()
    f.make_delivery(reader, edition, status="skipped", reason="paused")
    other = f.settled_reader()
    f.make_delivery(other, edition, status="pending", papers=[])
    later = add_channel(other, f"{webhooks.url}/services/T/B/y")  # after its row was built
    assert create_posts(deliveries=Delivery.objects.all()) == 0
    assert channel.pk and later.pk and not ChannelPost.objects.exists()


def test_the_hourly_run_enqueues_the_posts_beside_the_mail(
    slack, webhooks, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from digest import tasks

    post = one_post(slack)
    enqueued = []
    monkeypatch.setattr(tasks.send_channel_posts, "delay", lambda **kw: enqueued.append(kw))
    monkeypatch.setattr(tasks.send_batch, "delay", lambda **kw: None)  # the mail side
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_due_digests()
    assert enqueued == [{"post_ids": [post.pk]}]


def socket_closed_port():
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        yield port

    return closed()


def test_a_name_that_now_resolves_to_a_private_address_is_refused_when_posting(
    reader, webhooks, settings
) -> None:
    """DNS rebinding: the URL passed the check when saved; at connect time the guard sees a
    loopback address and refuses before a byte is sent."""
    channel = add_channel(reader, webhooks.url.replace("127.0.0.1", "localhost") + "/hook/x")
    post = one_post(channel)
    settings.CHANNEL_ALLOW_LOOPBACK_HTTP = False  # as in production
    assert post_batch(post_ids=[post.pk]).failed == 1
    assert webhooks.bodies == []
    channel.refresh_from_db()
    assert channel.status == Channel.Status.DISABLED
    assert "now resolves to a private address" in channel.disabled_reason
