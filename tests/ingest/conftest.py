"""A real HTTP server on loopback that serves the recorded documents like the real hosts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import FIXTURES

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
        elif url.path == "/moved-inside":  # a redirect into the private network
            port = self.server.server_address[1]
            self.answer(302, b"", {"Location": f"http://localhost:{port}/atom/cs.LG"})
        elif url.path == "/limited":
            self.answer(429, b"Too Many Requests", {"Retry-After": "600"})
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
