"""Operators: channels per reader in the admin (masked), the channel ledger read-only, the
dashboard's channel counts beside email, and the loopback setting refused in production."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from digest.models import ChannelPost
from tests import factories as f
from tests.channels.conftest import add_channel
from tests.config.test_settings import PRODUCTION, manage

SECRET = "secret-token-abcdefghijklmnop"


@pytest.fixture
def operator(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def posts(webhooks):
    reader = f.settled_reader("ada@example.org")
    channel = add_channel(reader, f"{webhooks.url}/services/T/B/{SECRET}", label="#lab")
    edition = f.make_edition()
    delivery = f.make_delivery(reader, edition)
    statuses = ["sent", "sent", "failed", "pending"]
    others = [add_channel(f.settled_reader(), f"{webhooks.url}/s/{n}") for n in range(3)]
    rows = []
    for ch, status in zip([channel, *others], statuses, strict=True):
        row_delivery = delivery if ch is channel else f.make_delivery(ch.subscriber, edition)
        rows.append(
            ChannelPost.objects.create(
                channel=ch, edition=edition, delivery=row_delivery, status=status
            )
        )
    return reader, channel, rows


@pytest.mark.django_db
def test_the_readers_admin_page_lists_their_channels_masked(operator, posts) -> None:
    reader, channel, _ = posts
    html = operator.get(reverse("admin:subscriptions_subscriber_change", args=[reader.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    assert "Channels (Slack, Discord, Matrix webhooks)" in text
    assert channel.url_masked in text and "#lab" in text and SECRET not in text


@pytest.mark.django_db
def test_the_channel_ledger_is_read_only_in_the_admin(operator, posts) -> None:
    _, _, rows = posts
    listing = operator.get(reverse("admin:digest_channelpost_changelist"))
    assert listing.status_code == 200 and "ada@example.org" in listing.content.decode()
    assert SECRET not in listing.content.decode()
    detail = operator.get(reverse("admin:digest_channelpost_change", args=[rows[0].pk]))
    assert detail.status_code == 200 and 'name="status"' not in detail.content.decode()
    assert operator.get(reverse("admin:digest_channelpost_add")).status_code == 403


@pytest.mark.django_db
def test_the_dashboard_counts_channel_posts_beside_email(operator, posts) -> None:
    html = operator.get(reverse("ops:dashboard")).content.decode()
    assert "Channel posts" in html
    assert "2 sent · 1 failed · 1 pending" in html
    assert "Channels: 2 posted · 1 failed · 1 waiting" in html


def test_production_refuses_the_loopback_test_setting() -> None:
    result = manage("check", **PRODUCTION, CHANNEL_ALLOW_LOOPBACK_HTTP="true")
    assert result.returncode != 0
    assert "CHANNEL_ALLOW_LOOPBACK_HTTP" in result.stderr


def test_check_deploy_warns_about_the_loopback_test_setting() -> None:
    result = manage("check", "--deploy", CHANNEL_ALLOW_LOOPBACK_HTTP="true")
    assert "paperboy.W005" in result.stderr + result.stdout


@pytest.mark.django_db
def test_explain_names_the_readers_channels_masked(posts) -> None:
    from io import StringIO

    from django.core.management import call_command

    _, channel, _ = posts
    out = StringIO()
    call_command("explain", "ada@example.org", stdout=out)
    assert f"Channels:  Slack #lab ({channel.url_masked}): active" in out.getvalue()
    assert SECRET not in out.getvalue()
