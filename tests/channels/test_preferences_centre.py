"""The preferences centre's Channels section: add, list (masked), remove, send a test post."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Channel
from subscriptions.tokens import subscriber_token
from tests import factories as f
from tests.channels.conftest import add_channel

pytestmark = pytest.mark.django_db
SECRET = "secret-token-abcdefghijklmnop"


@pytest.fixture
def reader():
    return f.settled_reader("ada@example.org")


@pytest.fixture
def page(reader) -> str:
    return reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])


def add(client: Client, page: str, url: str, kind: str = "slack", label: str = "#papers"):
    return client.post(page, {"action": "add_channel", "kind": kind, "label": label, "url": url})


def test_a_reader_adds_a_channel_and_sees_only_its_masked_url(
    reader, page, webhooks, caplog
) -> None:
    caplog.set_level(logging.INFO)
    client = Client()
    url = f"{webhooks.url}/services/T1/B1/{SECRET}"
    response = add(client, page, url)
    assert response.status_code == 302 and response["Location"].endswith("#channels")
    html = client.get(page).content.decode()
    assert "Added Slack" in html and "#papers" in html
    channel = Channel.objects.get(subscriber=reader)
    assert channel.url_masked in html
    assert SECRET not in html and SECRET[-12:] not in html
    assert SECRET not in caplog.text and channel.url_masked in caplog.text


def test_a_refused_url_is_shown_inline_and_nothing_is_saved(reader, page, settings) -> None:
    settings.CHANNEL_ALLOW_LOOPBACK_HTTP = False
    response = add(Client(), page, "http://hooks.slack.com/services/T/B/x")
    assert response.status_code == 400
    html = response.content.decode()
    assert "That change was not saved" in html
    assert 'id="channel-url-error"' in html and "must start with https://" in html
    assert not Channel.objects.exists()


def test_a_private_host_is_refused_and_the_url_is_not_shown_back(reader, page, settings) -> None:
    settings.CHANNEL_ALLOW_LOOPBACK_HTTP = False
    response = add(Client(), page, f"https://127.0.0.1/webhook/{SECRET}", kind="matrix")
    assert response.status_code == 400
    html = response.content.decode()
    assert "private or local address" in html
    assert SECRET not in html


def test_a_reader_has_at_most_the_allowed_number_of_channels(reader, page, webhooks) -> None:
    for n in range(3):
        add_channel(reader, f"{webhooks.url}/services/T/B/{n}")
    html = Client().get(page).content.decode()
    assert "the most we allow" in html and 'value="add_channel"' not in html
    response = add(Client(), page, f"{webhooks.url}/services/T/B/4")
    assert response.status_code == 400 and Channel.objects.count() == 3


def test_a_reader_removes_their_channel_but_not_someone_elses(reader, page, webhooks) -> None:
    mine = add_channel(reader, f"{webhooks.url}/services/T/B/mine")
    theirs = add_channel(f.settled_reader(), f"{webhooks.url}/services/T/B/theirs")
    client = Client()
    client.post(page, {"action": "remove_channel", "channel_id": str(theirs.pk)})
    client.post(page, {"action": "remove_channel", "channel_id": "²"})
    assert Channel.objects.count() == 2
    client.post(page, {"action": "remove_channel", "channel_id": str(mine.pk)})
    assert list(Channel.objects.all()) == [theirs]


def test_a_test_post_goes_out_once_a_minute_and_its_result_is_shown(
    reader, page, webhooks, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    channel = add_channel(reader, f"{webhooks.url}/hook/{SECRET}", kind="discord")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page, {"action": "test_channel", "channel_id": str(channel.pk)})
        client.post(page, {"action": "test_channel", "channel_id": str(channel.pk)})
    [body] = webhooks.to(f"/hook/{SECRET}")
    assert body["allowed_mentions"] == {"parse": []} and "test post" in body["content"]
    html = client.get(page).content.decode()
    assert "Test post delivered" in html


def test_a_test_post_to_a_gone_webhook_disables_it(
    reader, page, webhooks, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    channel = add_channel(reader, f"{webhooks.url}/hook/gone", kind="matrix")
    webhooks.default = 410
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(page, {"action": "test_channel", "channel_id": str(channel.pk)})
    channel.refresh_from_db()
    assert channel.status == Channel.Status.DISABLED
    html = Client().get(page).content.decode()
    assert "Disabled: Matrix answered 410" in html and 'value="test_channel"' not in html
