from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def empty_rate_limit_counters() -> Iterator[None]:
    """Each test starts with no sign-ups or failed logins counted against anyone."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="203.0.113.7")
