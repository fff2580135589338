from __future__ import annotations

import pytest
from django.test import Client

# Rate-limit and lockout counters start empty in every test: they live in the database, which
# each test rolls back.


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="203.0.113.7")


@pytest.fixture(autouse=True)
def mail_settings(digest_mail_settings):
    return digest_mail_settings
