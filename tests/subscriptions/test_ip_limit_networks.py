"""The per-IP sign-up limit counts an IPv6 address with its /64: one customer's block."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.ratelimit import network_of
from tests.subscriptions.helpers import signup_data

pytestmark = pytest.mark.django_db
LIMIT = 3


def sign_up_from(ip: str, n: int) -> int:
    client = Client(REMOTE_ADDR=ip)
    return client.post(
        reverse("subscriptions:signup"), signup_data(f"r{n}@example.org")
    ).status_code


def test_addresses_of_one_ipv6_64_share_one_count(settings, smtp_server):
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = LIMIT
    codes = [sign_up_from(f"2001:db8:1:2::{n + 1:x}", n) for n in range(LIMIT + 1)]
    elsewhere = sign_up_from("2001:db8:1:3::1", 99)

    assert codes == [302] * LIMIT + [429]
    assert elsewhere == 302


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("not an address", "not an address"),
    ],
)
def test_the_network_an_address_counts_in(ip: str, network: str) -> None:
    assert network_of(ip) == network
