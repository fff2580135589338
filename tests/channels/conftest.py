"""A loopback HTTP server standing in for Slack, Discord and a Matrix webhook bridge.

It records every request body and answers as a test asks: a status (200, 404, 410, 429,
500, …), "hang" (read the body, never answer) or "drop" (read the body, close the connection
without a reply). Webhooks reach it over plain http on 127.0.0.1 only because the tests turn
on CHANNEL_ALLOW_LOOPBACK_HTTP (production refuses it).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from digest.models import Delivery, Edition
from subscriptions import channels
from subscriptions.models import Channel, Subscriber
from tests import factories as f


class Webhooks:
    def __init__(self) -> None:
        self.bodies: list[tuple[str, dict]] = []
        self.answers: list[object] = []  # consumed one per request; then `default`
        self.default: object = 200
        self.lock = threading.Lock()
        self.url = ""

    def next_answer(self) -> object:
        with self.lock:
            return self.answers.pop(0) if self.answers else self.default

    def to(self, path: str) -> list[dict]:
        return [body for p, body in self.bodies if p == path]


def handler_for(hooks: Webhooks) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            hooks.bodies.append((self.path, body))
            answer = hooks.next_answer()
            if answer == "hang":
                time.sleep(5)
                return
            if answer == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            payload = b"ok"
            self.send_response(int(answer))
            if answer == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def webhooks(settings) -> Iterator[Webhooks]:
    hooks = Webhooks()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(hooks))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    hooks.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    settings.CHANNEL_ALLOW_LOOPBACK_HTTP = True
    settings.CHANNEL_TIMEOUT_SECONDS = 1.0
    try:
        yield hooks
    finally:
        httpd.shutdown()
        httpd.server_close()


def add_channel(reader: Subscriber, url: str, kind: str = "slack", label: str = "") -> Channel:
    return channels.add_channel(subscriber=reader, kind=kind, label=label, url=url)


def edition_for(
    reader: Subscriber, *, titles: tuple[str, ...] = ("Robot learning from play",)
) -> tuple[Edition, Delivery]:
    """Today's edition with a pending Delivery row for `reader` holding these papers."""
    edition = f.make_edition()
    papers = [f.trending_paper(title) for title in titles]
    delivery = f.make_delivery(
        reader,
        edition,
        status=Delivery.Status.PENDING,
        papers=[
            {"id": p.canonical_id, "score": 0.9, "why": "in your topic Robot learning"}
            for p in papers
        ],
    )
    return edition, delivery


@pytest.fixture(autouse=True)
def lexical_matching(settings) -> None:
    """No sentence-encoder model needed: these tests are about posting, not meaning."""
    settings.SEMANTIC_MATCHING = False
