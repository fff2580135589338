from __future__ import annotations

import pytest
from django.test import Client

# Rate-limit and lockout counters start empty in every test: tests/conftest.py gives each test
# its own cache key space (isolated_cache).


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="203.0.113.7")


@pytest.fixture(autouse=True)
def mail_settings(settings):
    """Our domain in links and Message-IDs; no rate limit or back-off slowing tests down."""
    settings.SITE_URL = "https://paperboy.example"
    settings.DEFAULT_FROM_EMAIL = "Paperboy <digest@paperboy.example>"
    settings.MAIL_DOMAIN = "paperboy.example"
    settings.SEND_RATE_PER_SECOND = 0
    settings.SEND_RETRY_BASE_SECONDS = 0.01
    settings.SEND_RETRY_MAX_SECONDS = 0.05
    return settings
