"""PostgreSQL out of connections: one-click unsubscribe answers 503 with Retry-After (mailbox
providers retry it), and no page shows a bare 500.

A real gunicorn whose database role may open no connection at all: PostgreSQL refuses it
("too many connections for role"), the same OperationalError as a server at max_connections.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import requests
from django.conf import settings
from django.db import connection

from subscriptions.emails import unsubscribe_url
from tests.conftest import free_port
from tests.processes import gunicorn_command, serving
from tests.subscriptions.helpers import make_reader

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def full_database() -> Iterator[str]:
    """A database URL whose every connection PostgreSQL refuses."""
    role = f"paperboy_full_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    db = settings.DATABASES["default"]
    try:
        yield f"postgres://{role}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def web(full_database: str) -> Iterator[str]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": full_database,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    command = gunicorn_command(port, workers=1, threads=4)
    with serving(command, env, port=port, probe="/static/css/site.css") as url:
        yield url


def test_one_click_unsubscribe_answers_503_with_retry_after(web):
    path = unsubscribe_url(make_reader("ada@example.org")).split("://", 1)[1].split("/", 1)[1]

    response = requests.post(f"{web}/{path}", data={"List-Unsubscribe": "One-Click"}, timeout=30)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "Back in a moment" in response.text


@pytest.mark.parametrize("path", ["/", "/papers/", "/signup/"])
def test_no_page_shows_a_bare_500(web, path):
    response = requests.get(f"{web}{path}", timeout=30)

    assert response.status_code == 503
    assert "Server Error (500)" not in response.text
    assert "Back in a moment" in response.text
