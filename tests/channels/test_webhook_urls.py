"""A webhook URL is accepted only over https to a public host on the platform's own webhook
address; it is stored encrypted and shown only masked."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from subscriptions import channel_urls
from subscriptions.channel_urls import check_url
from tests import factories as f
from tests.channels.conftest import add_channel

SLACK = "https://hooks.slack.com/services/T0AAAA/B0BBBB/abcdefghijklmnopqrstWXYZ"
DISCORD = "https://discord.com/api/webhooks/123456789/abcdefghijklmnopqrstuvwxyz"
MATRIX = "https://hookshot.example.org/webhook/6b5f3c1e-0c6d-4b1d-9a43-6d1c1f5e2a10"


def resolving_to(*addresses: str):
    """A stand-in for socket.getaddrinfo: the host resolves to these addresses."""

    def resolve(host, port, type=0):
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolve


PUBLIC = resolving_to("52.1.2.3")


@pytest.mark.parametrize(
    ("kind", "url"), [("slack", SLACK), ("discord", DISCORD), ("matrix", MATRIX)]
)
def test_each_platforms_own_webhook_url_is_accepted(kind: str, url: str) -> None:
    assert check_url(kind, f"  {url} ", resolve=PUBLIC) == url


@pytest.mark.parametrize(
    ("kind", "url", "message"),
    [
        ("slack", SLACK.replace("https", "http"), "must start with https://"),
        ("matrix", "ftp://hookshot.example.org/webhook/x", "must start with https://"),
        (
            "slack",
            "https://hooks.slack.com.evil.example/services/T/B/x",
            "starts with https://hooks.slack.com/",
        ),
        ("slack", "https://hooks.slack.com/other/T/B/x", "not a Slack webhook URL"),
        ("discord", "https://discord.com/channels/1/2", "not a Discord webhook URL"),
        ("discord", "https://discord.gg/api/webhooks/1/x", "starts with https://discord.com/"),
        ("slack", "https://user:pw@hooks.slack.com/services/T/B/x", "user name or password"),
        ("matrix", "not a url", "not a web address"),
        ("matrix", "https://" + "a" * 2001, "too long"),
    ],
)
def test_a_bad_url_is_refused_saying_why(kind: str, url: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_url(kind, url, resolve=PUBLIC)
    assert message in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fd00::1",
        "::ffff:127.0.0.1",
    ],
)
def test_a_host_resolving_to_a_private_address_is_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="private or local address"):
        check_url("matrix", MATRIX, resolve=resolving_to(address))


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(ValidationError, match="private or local"):
        check_url("matrix", MATRIX, resolve=resolving_to("52.1.2.3", "10.1.1.1"))


def test_a_host_that_does_not_resolve_is_refused() -> None:
    def nowhere(host, port, type=0):
        raise socket.gaierror("Name or service not known")

    with pytest.raises(ValidationError, match="could not find the host"):
        check_url("matrix", MATRIX, resolve=nowhere)


def test_plain_http_to_loopback_needs_the_test_only_setting(settings) -> None:
    settings.CHANNEL_ALLOW_LOOPBACK_HTTP = False
    with pytest.raises(ValidationError):
        check_url("slack", "http://127.0.0.1:8080/services/T/B/x")
    settings.CHANNEL_ALLOW_LOOPBACK_HTTP = True
    assert check_url("slack", "http://127.0.0.1:8080/services/T/B/x")
    with pytest.raises(ValidationError):  # still only loopback, and still only http to it
        check_url("slack", "http://10.0.0.1:8080/services/T/B/x", resolve=resolving_to("10.0.0.1"))


@pytest.mark.django_db
def test_the_url_is_encrypted_at_rest_and_shown_masked() -> None:
    channel = add_channel(f.settled_reader(), SLACK)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM subscriptions_channel WHERE id = %s", [channel.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert "abcdefghijklmnopqrst" not in row
    assert "services/T0AAAA" not in row
    assert channel.url_masked == "https://hooks.slack.com/…WXYZ"
    assert channel_urls.decrypt(channel.url_encrypted) == SLACK


def test_a_rotated_key_still_decrypts_old_urls_and_reencrypts_them(settings) -> None:
    settings.CHANNEL_KEY = ""
    old = channel_urls.encrypt(SLACK)  # under the key derived from SECRET_KEY
    new_key = "IgbHcS_SYWxiCP3t76jOjX_6ulgpxRfum_gmvsGdsyg="
    settings.CHANNEL_KEY, settings.CHANNEL_KEY_FALLBACKS = new_key, []
    with pytest.raises(channel_urls.InvalidToken):
        channel_urls.decrypt(old)
    settings.CHANNEL_KEY_FALLBACKS = [channel_urls._derived_key(settings.SECRET_KEY).decode()]
    rotated = channel_urls.reencrypt(old)
    settings.CHANNEL_KEY_FALLBACKS = []
    assert channel_urls.decrypt(rotated) == SLACK
