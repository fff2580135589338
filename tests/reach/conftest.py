"""A loopback server answering like the arXiv API, from the recorded answer in tests/fixtures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import FIXTURES

RECORDED = (FIXTURES / "arxiv_api.atom.xml").read_bytes()  # 2310.03173, 2501.12051, 2305.18290,
# 1910.10897 and 2406.04806, as export.arxiv.org/api/query answered


class ArxivApi(BaseHTTPRequestHandler):
    requests: list[str] = []
    answer_with = RECORDED

    def do_GET(self) -> None:
        ArxivApi.requests.append(self.path)
        body = ArxivApi.answer_with
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def arxiv_api(monkeypatch) -> Iterator[type[ArxivApi]]:
    """digest.library asks this server instead of export.arxiv.org."""
    ArxivApi.requests = []
    ArxivApi.answer_with = RECORDED
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ArxivApi)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(
        "digest.library.API_URL", f"http://127.0.0.1:{httpd.server_address[1]}/api/query"
    )
    try:
        yield ArxivApi
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def lexical_matching(settings) -> None:
    """These tests are about seeds and followed authors, not meaning: lexical matching is
    enough and needs no model (tests/matching/test_library_reasons.py uses the real one)."""
    settings.SEMANTIC_MATCHING = False
