from __future__ import annotations

import pytest


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
