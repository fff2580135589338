"""run_ingest against a real HTTP server on loopback: conditional GET, pagination, failures."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from digest.ingest import run_ingest
from digest.models import Paper, Source
from tests.conftest import FIXTURES
from tests.ingest.factories import make_source

pytestmark = pytest.mark.django_db

LISTING = (FIXTURES / "arxiv_listing.atom.xml").read_bytes()
HF_ITEMS = json.loads((FIXTURES / "hf_daily.json").read_bytes())
ETAG = '"listing-v1"'


class Recorder(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict[str, str]]] = []

    def do_GET(self) -> None:
        Recorder.requests.append((self.path, dict(self.headers)))
        url = urlsplit(self.path)
        if url.path == "/atom/cs.LG":
            if self.headers.get("If-None-Match") == ETAG:
                self.answer(304, b"", {"ETag": ETAG})
            else:
                self.answer(200, LISTING, {"ETag": ETAG, "Content-Type": "application/atom+xml"})
        elif url.path == "/api/daily_papers":
            query = parse_qs(url.query)
            page, limit = int(query["p"][0]), int(query["limit"][0])
            items = HF_ITEMS[page * limit : (page + 1) * limit]
            self.answer(200, json.dumps(items).encode(), {"Content-Type": "application/json"})
        else:
            self.answer(404, b"not here", {})

    def answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_listing_that_has_not_changed_answers_304_and_counts_as_not_modified(
    server: str,
) -> None:
    source = make_source("arxiv-cs-lg", url=f"{server}/atom/cs.LG")

    first = run_ingest(source=source)
    source.refresh_from_db()
    second = run_ingest(source=source)

    assert (first.status, first.fetched, first.new) == ("ok", 12, 12)
    assert source.etag == ETAG
    assert (second.status, second.fetched, second.new, second.unchanged) == ("ok", 0, 0, 0)
    assert "not modified" in second.warnings[0]
    sent = [headers for path, headers in Recorder.requests]
    assert "If-None-Match" not in sent[0]
    assert sent[1]["If-None-Match"] == ETAG
    assert sent[0]["User-Agent"].startswith("Paperboy/")
    source.refresh_from_db()
    assert source.last_success_at is not None


def test_daily_papers_are_fetched_page_by_page_until_a_short_page(server: str) -> None:
    source = make_source(
        "hf",
        Source.Kind.HF_DAILY,
        url=f"{server}/api/daily_papers?date={{date}}&limit=50",
    )

    run = run_ingest(source=source, day=dt.date(2025, 3, 5))

    assert (run.status, run.fetched, run.new) == ("ok", 83, 83)
    paths = [path for path, _ in Recorder.requests]
    assert paths == [
        "/api/daily_papers?date=2025-03-05&limit=50&p=0",
        "/api/daily_papers?date=2025-03-05&limit=50&p=1",
    ]


def test_an_http_error_fails_the_run_and_keeps_the_stored_papers(server: str) -> None:
    good = make_source("arxiv-cs-lg", url=f"{server}/atom/cs.LG")
    run_ingest(source=good)
    broken = make_source("arxiv-typo", url=f"{server}/atom/cs.LGG")

    run = run_ingest(source=broken)

    assert run.status == "failed"
    assert "HTTP 404" in run.error
    assert Paper.objects.count() == 12
    broken.refresh_from_db()
    assert broken.last_run_at is not None and broken.last_success_at is None
