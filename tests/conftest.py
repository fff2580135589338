"""Shared fixtures: a real SMTP server in-process, and the rule that CI runs with no skips."""

from __future__ import annotations

import email
import email.policy
import importlib
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import clear_url_caches

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    """Read a recorded document by its path under tests/fixtures (never fetched)."""

    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.reply: str = "250 Message accepted for delivery"

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:
        if not self.reply.startswith("250"):
            return self.reply
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return self.reply

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    """A real SMTP server on loopback; our SMTP backend (Django's, plus the hand-over at the end
    of data) sends to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "digest.delivery.backends.SMTPBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    on_redis = settings.CELERY_BROKER_URL.startswith("redis")
    reasons = {
        "postgres": None if on_postgres else "needs PostgreSQL: set DATABASE_URL=postgres://...",
        "redis": None if on_redis else "needs Redis: set REDIS_URL=redis://...",
        "browser": None if CHROMIUM else "needs Chromium: apt-get install chromium",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true a skipped test is a failure: CI must run everything against real services."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") == "true" and skipped and exitstatus == 0:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped; every test must run in CI.")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def isolated_cache(settings) -> None:
    """Each test gets its own cache key space (rate limits, cached counts), on the real cache.

    A prefix instead of cache.clear(): on Redis, clearing would flush the Celery broker too.
    """
    default = settings.CACHES["default"]
    settings.CACHES = {"default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    # django-axes keeps the cache it found at start-up; hand it this test's cache.
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.get_implementation(force=True)


@pytest.fixture
def digest_mail_settings(settings):
    """Our domain in links and Message-IDs; no rate limit or back-off slowing tests down."""
    settings.SITE_URL = "https://paperboy.example"
    settings.DEFAULT_FROM_EMAIL = "Paperboy <digest@paperboy.example>"
    settings.MAIL_DOMAIN = "paperboy.example"
    settings.SEND_RATE_PER_SECOND = 0
    settings.SEND_RETRY_BASE_SECONDS = 0.01
    settings.SEND_RETRY_MAX_SECONDS = 0.05
    return settings


@pytest.fixture
def db_vendor() -> str:
    return connection.vendor


def _rebuild_urls() -> None:
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@contextmanager
def tasks_run_eagerly() -> Iterator[None]:
    """Celery tasks run in the calling process. The namespaced key is the one to set: the app
    reads its settings with namespace "CELERY", so CELERY_TASK_ALWAYS_EAGER (which the Django
    settings define) shadows task_always_eager on Celery 5.6."""
    from config.celery import app

    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    try:
        yield
    finally:
        app.conf.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    with tasks_run_eagerly():
        yield


@contextmanager
def urls_built_with(**overrides: object) -> Iterator[None]:
    """The URL configuration as start-up builds it under these settings (the ESP's tracking
    webhook is mounted, or not, when config/urls.py is imported)."""
    try:
        with override_settings(**overrides):
            _rebuild_urls()
            yield
    finally:
        _rebuild_urls()


WEBHOOK_SECRET = "paperboy:s3cret-webhook"


@pytest.fixture
def postmark_webhook() -> Iterator[None]:
    """Postmark configured with a webhook secret, so /anymail/postmark/tracking/ is mounted.

    Mail in the test still goes where the test sends it (smtp_server overrides EMAIL_BACKEND)."""
    with urls_built_with(
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL={"WEBHOOK_SECRET": WEBHOOK_SECRET, "POSTMARK_SERVER_TOKEN": "test-token"},
    ):
        yield


@pytest.fixture(autouse=True)
def account_mail_in_process(request, monkeypatch) -> None:
    """Account mail is queued after commit for the `account` worker. Most tests want to see it
    arrive, so the queued task runs here, at once, as that worker would run it (retries
    included). Tests of the queue itself are marked `account_mail_queued`."""
    if request.node.get_closest_marker("account_mail_queued"):
        return
    from subscriptions import account_mail

    monkeypatch.setattr(account_mail, "_enqueue", lambda task, kwargs: task.apply(kwargs=kwargs))
