from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def site_settings(settings):
    settings.SITE_URL = "https://paperboy.example"
    settings.DEFAULT_FROM_EMAIL = "Paperboy <digest@paperboy.example>"
    settings.MAIL_DOMAIN = "paperboy.example"
    return settings


@pytest.fixture(autouse=True)
def empty_cache():
    """Settled editions' counts are cached; each test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def operator_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client
