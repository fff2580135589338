"""Real Chromium (Debian's) driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings

from tests.conftest import CHROMIUM

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
THUMBNAIL = (Path(settings.BASE_DIR) / "tests" / "fixtures" / "thumbnail.png").read_bytes()


def serve_thumbnails(target) -> None:
    """Tests never touch the internet: the paper thumbnails pages show (Hugging Face's CDN)
    get a recorded image, on a page or a whole context. Any other outside request still fails."""
    target.route(
        "https://cdn-thumbnails.huggingface.co/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=THUMBNAIL),
    )


@pytest.fixture
def playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between page actions are ordinary synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright) -> Iterator:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def site(live_server, settings, smtp_server):
    """The live server, with mail links pointing at it and mail going to the SMTP fixture.

    Transactional tests empty the tables after each test, so the curated topics the data
    migration seeds are loaded again here (the same loader, idempotent).
    """
    seed = importlib.import_module("subscriptions.migrations.0002_seed_topics")
    seed.load_topics(django_apps, None)
    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    return live_server


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
