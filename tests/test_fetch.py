"""The fetcher against a real HTTP server on 127.0.0.1: no mocks of requests, no network."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
import requests

from digest.ingest.fetch import (
    ARXIV_MIN_INTERVAL,
    FetchResult,
    default_min_interval,
    fetch,
)
from digest.ingest.sources.records import RateLimited, SourceError
from digest.ratelimit import HostThrottle, RedisHostThrottle

ETAG = '"v1"'
LAST_MODIFIED = "Wed, 05 Mar 2025 05:00:00 GMT"
FIFTY_MB = 50 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]


class Handler(BaseHTTPRequestHandler):
    """Routes named after the behaviour they show; `hits` counts requests per path."""

    hits: Counter[str]
    seen_headers: dict[str, dict[str, str]]
    arrivals: list[float]
    agents: list[str]  # the User-Agent of each request, in arrival order

    def do_GET(self) -> None:
        self.arrivals.append(time.monotonic())
        self.agents.append(self.headers.get("User-Agent", ""))
        self.hits[self.path] += 1
        self.seen_headers[self.path] = dict(self.headers)
        route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.reply(404, b"not found")
        else:
            route()

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may have given up first (the timeout tests)

    def route_ok(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.reply(304, headers={"ETag": ETAG})
        else:
            self.reply(200, b"<rss/>", {"ETag": ETAG, "Last-Modified": LAST_MODIFIED})

    def route_since(self) -> None:
        if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self.reply(304)
        else:
            self.reply(200, b"fresh", {"Last-Modified": LAST_MODIFIED})

    def route_flaky(self) -> None:
        if self.hits[self.path] < 3:
            self.reply(503, b"busy")
        else:
            self.reply(200, b"finally")

    def route_throttled(self) -> None:
        if self.hits[self.path] == 1:
            self.reply(429, b"slow down", {"Retry-After": "7"})
        else:
            self.reply(200, b"thanks")

    def route_throttled_until_a_date(self) -> None:
        if self.hits[self.path] == 1:
            self.reply(429, b"slow down", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
        else:
            self.reply(200, b"thanks")

    def route_always_429(self) -> None:
        self.reply(429, b"Rate exceeded.")

    def route_long_wait(self) -> None:
        self.reply(429, b"later", {"Retry-After": "3600"})

    def route_always_500(self) -> None:
        self.reply(500, b"broken")

    def route_missing(self) -> None:
        self.reply(404, b"no such feed")

    def route_oversize_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(FIFTY_MB))
        self.end_headers()
        self.stream_zeros(FIFTY_MB)

    def route_oversize_chunked(self) -> None:
        # No Content-Length: the cap must hold while streaming, not only on the header.
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self.stream_zeros(FIFTY_MB)

    def route_gzip_bomb(self) -> None:
        body = gzip.compress(b"\0" * (4 * 1024 * 1024))
        self.reply(200, body, {"Content-Encoding": "gzip"})

    def route_loop(self) -> None:
        self.reply(302, headers={"Location": "/loop"})

    def route_cut_short(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"only ten b")
        self.close_connection = True

    def route_slow(self) -> None:
        time.sleep(1.5)
        self.reply(200, b"late")

    def trickle(self, data: bytes, pause: float = 0.1) -> None:
        """A byte at a time: each read returns long before any socket timeout."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(pause)

    def route_trickle_body(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "200")
        self.end_headers()
        self.trickle(b"x" * 200)

    def route_trickle_headers(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.trickle(b"X-Slow: " + b"y" * 200 + b"\r\n")

    def route_trickle_gzip_chunked(self) -> None:
        self.protocol_version = "HTTP/1.1"
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        body = gzip.compress(b"<rss/>" * 100)
        self.trickle(b"".join(b"1\r\n" + bytes([b]) + b"\r\n" for b in body))

    def route_to_localhost(self) -> None:
        port = self.server.server_address[1]
        self.reply(302, headers={"Location": f"http://localhost:{port}/ok"})

    def route_to_metadata(self) -> None:
        self.reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    def route_to_same_host(self) -> None:
        self.reply(302, headers={"Location": "/ok"})

    def stream_zeros(self, total: int) -> None:
        chunk = b"\0" * 65536
        try:
            for _ in range(total // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Server:
    url: str
    handler: type[Handler]


@pytest.fixture
def server() -> Iterator[Server]:
    handler = type(
        "TestHandler",
        (Handler,),
        {"hits": Counter(), "seen_headers": {}, "arrivals": [], "agents": []},
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Server(url=f"http://127.0.0.1:{httpd.server_address[1]}", handler=handler)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[Server]:
    """The same routes over HTTPS, with a throwaway self-signed certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    make_cert = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    make_cert += ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(make_cert, check=True, capture_output=True)
    handler = type(
        "TLSHandler",
        (Handler,),
        {"hits": Counter(), "seen_headers": {}, "arrivals": [], "agents": []},
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Server(url=f"https://127.0.0.1:{httpd.server_address[1]}", handler=handler)
    finally:
        httpd.shutdown()
        httpd.server_close()


def local_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
    return session


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with local_session() as session:
        yield session


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def get(session, sleeps):
    """fetch() with test defaults: no real waiting, no spacing unless a test asks for it."""

    def call(url: str, **overrides: object) -> FetchResult:
        options: dict[str, object] = {
            "max_bytes": 1024 * 1024,
            "timeout": 5.0,
            "user_agent": "PaperboyTest/1.0 (ops@example.org)",
            "min_interval": 0.0,
            "sleep": sleeps.append,
            "throttle": HostThrottle(),
            "session": session,
        }
        options.update(overrides)
        return fetch(url, **options)

    return call


def test_it_returns_the_body_and_validators(server, get):
    result = get(f"{server.url}/ok")
    assert result == FetchResult(
        status=200, body=b"<rss/>", etag=ETAG, last_modified=LAST_MODIFIED, not_modified=False
    )


def test_it_sends_the_callers_user_agent(server, get):
    get(f"{server.url}/ok", user_agent="Paperboy/2.0 (+https://paperboy.example)")
    seen = server.handler.seen_headers["/ok"]
    assert seen["User-Agent"] == "Paperboy/2.0 (+https://paperboy.example)"


def test_a_matching_etag_gives_not_modified(server, get):
    result = get(f"{server.url}/ok", etag=ETAG)
    assert result.not_modified
    assert result.status == 304
    assert result.body == b""
    assert result.etag == ETAG


def test_a_matching_last_modified_gives_not_modified(server, get):
    result = get(f"{server.url}/since", last_modified=LAST_MODIFIED)
    assert result.not_modified
    assert result.last_modified == LAST_MODIFIED


def test_server_errors_are_retried_with_growing_backoff(server, get, sleeps):
    result = get(f"{server.url}/flaky")
    assert result.body == b"finally"
    assert server.handler.hits["/flaky"] == 3
    assert len(sleeps) == 2
    assert 2.0 <= sleeps[0] <= 3.0  # base 2 s plus up to 50% jitter
    assert 4.0 <= sleeps[1] <= 6.0


def test_retry_after_is_honoured(server, get, sleeps):
    assert get(f"{server.url}/throttled").body == b"thanks"
    assert sleeps == [7.0]


def test_a_retry_after_date_in_the_past_means_retry_now(server, get, sleeps):
    assert get(f"{server.url}/throttled-until-a-date").body == b"thanks"
    assert sleeps == [0.0]


def test_persistent_throttling_raises_rate_limited_after_bounded_attempts(server, get, sleeps):
    with pytest.raises(RateLimited, match="HTTP 429 after 3 attempt"):
        get(f"{server.url}/always-429", attempts=3)
    assert len(sleeps) == 2


def test_a_very_long_retry_after_is_left_to_the_scheduler(server, get, sleeps):
    with pytest.raises(RateLimited) as raised:
        get(f"{server.url}/long-wait")
    assert raised.value.retry_after == 3600.0
    assert sleeps == []


def test_persistent_server_errors_raise_a_source_error(server, get):
    with pytest.raises(SourceError, match="HTTP 500 after 4 attempt"):
        get(f"{server.url}/always-500")


def test_a_missing_feed_fails_at_once(server, get, sleeps):
    with pytest.raises(SourceError, match="HTTP 404"):
        get(f"{server.url}/missing")
    assert sleeps == []


@pytest.mark.parametrize("path", ["/oversize-declared", "/oversize-chunked"])
def test_a_body_over_the_cap_is_refused_without_reading_it_all(server, get, path):
    started = time.monotonic()
    with pytest.raises(SourceError, match="body larger than 1048576 bytes"):
        get(f"{server.url}{path}")
    assert time.monotonic() - started < 5


def test_the_cap_applies_after_decompression(server, get):
    with pytest.raises(SourceError, match="body larger than"):
        get(f"{server.url}/gzip-bomb")


def test_a_slow_server_times_out_and_is_retried_then_reported(server, get, sleeps):
    with pytest.raises(SourceError, match="Timeout after 2 attempt"):
        get(f"{server.url}/slow", timeout=0.3, attempts=2)
    assert len(sleeps) == 1


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers", "/trickle-gzip-chunked"])
def test_a_trickling_answer_is_cut_at_one_deadline_for_the_whole_request(server, get, path):
    """A byte every 0.1 s never trips a per-read timeout; the whole request still ends at the
    deadline (0.5 s here; the bound below only catches a hang: the trickle lasts 20 s+)."""
    started = time.monotonic()
    with pytest.raises(SourceError, match="Timeout after 1 attempt"):
        get(f"{server.url}{path}", timeout=0.5, attempts=1)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_the_deadline_holds_over_https_too(tls_server, get, session, path):
    session.verify = False  # the throwaway certificate
    started = time.monotonic()
    with pytest.raises(SourceError, match="Timeout after 1 attempt"):
        get(f"{tls_server.url}{path}", timeout=0.5, attempts=1)
    assert time.monotonic() - started < 5


def test_a_redirect_to_a_private_address_is_refused_at_once(server, get, sleeps):
    for path in ("/to-localhost", "/to-metadata"):
        with pytest.raises(SourceError, match="private address"):
            get(f"{server.url}{path}", timeout=2.0)
    assert sleeps == []
    assert server.handler.hits["/ok"] == 0


def test_a_redirect_is_followed_to_the_sources_own_host_or_an_allowed_one(server, get):
    assert get(f"{server.url}/to-same-host").body == b"<rss/>"
    allowed = get(f"{server.url}/to-localhost", allowed_private_hosts=["localhost"])
    assert allowed.body == b"<rss/>"


def test_a_body_cut_short_is_retried_then_reported(server, get, sleeps):
    with pytest.raises(SourceError, match="ChunkedEncodingError after 2 attempt"):
        get(f"{server.url}/cut-short", attempts=2)
    assert server.handler.hits["/cut-short"] == 2


def test_a_redirect_loop_fails_at_once(server, get, sleeps):
    with pytest.raises(SourceError, match="TooManyRedirects"):
        get(f"{server.url}/loop")
    assert sleeps == []


def test_a_refused_connection_is_retried_then_reported(get, sleeps):
    with pytest.raises(SourceError, match="ConnectionError after 2 attempt"):
        get("http://127.0.0.1:9/nothing-listens-here", attempts=2)
    assert len(sleeps) == 1


def test_arxiv_hosts_get_three_seconds_and_others_one():
    assert default_min_interval("export.arxiv.org") == ARXIV_MIN_INTERVAL == 3.0
    assert default_min_interval("rss.arxiv.org") == 3.0
    assert default_min_interval("huggingface.co") == 1.0
    assert default_min_interval("notarxiv.org") == 1.0


def test_the_throttle_spaces_requests_to_one_host_but_not_to_others():
    now = [100.0]
    waits: list[float] = []
    throttle = HostThrottle(clock=lambda: now[0])
    throttle.wait("export.arxiv.org", 3.0, sleep=waits.append)
    throttle.wait("export.arxiv.org", 3.0, sleep=waits.append)
    throttle.wait("huggingface.co", 1.0, sleep=waits.append)
    now[0] = 110.0
    throttle.wait("export.arxiv.org", 3.0, sleep=waits.append)
    assert waits == [3.0]


def test_two_threads_fetching_one_host_respect_the_interval(server):
    throttle = HostThrottle()

    def worker() -> None:
        with local_session() as own_session:
            fetch(
                f"{server.url}/ok",
                max_bytes=1024,
                timeout=5.0,
                user_agent="PaperboyTest/1.0",
                min_interval=0.25,
                throttle=throttle,
                session=own_session,
            )

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrivals = sorted(server.handler.arrivals)
    assert len(arrivals) == 3
    assert all(later - earlier >= 0.24 for earlier, later in itertools.pairwise(arrivals))


@pytest.mark.redis
def test_workers_in_separate_processes_sharing_redis_respect_the_interval(server, settings):
    """Two worker processes (as on two machines) fetch one host at once: the spacing holds
    between their requests, which interleave."""
    key = f"paperboy:test-host-slot:{uuid.uuid4().hex}"
    start = time.time() + 4.0  # both begin together, after their imports and django.setup()
    worker = (
        "import os, sys, time, redis, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "django.setup()\n"
        "from digest.ingest.fetch import fetch\n"
        "from digest.ratelimit import RedisHostThrottle\n"
        "url, key, start, name = sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]\n"
        "throttle = RedisHostThrottle(redis.Redis.from_url(sys.argv[1]), key=key)\n"
        "time.sleep(max(0.0, start - time.time()))\n"
        "for _ in range(3):\n"
        "    fetch(url, max_bytes=1024, timeout=5.0, user_agent=name, min_interval=0.25,\n"
        "          throttle=throttle)\n"
    )
    args = [settings.REDIS_URL, f"{server.url}/ok", key, str(start)]
    workers = [
        subprocess.Popen([sys.executable, "-c", worker, *args, name], cwd=ROOT)
        for name in ("worker-a", "worker-b")
    ]
    assert [w.wait(timeout=30) for w in workers] == [0, 0]
    arrivals = sorted(zip(server.handler.arrivals, server.handler.agents, strict=True))
    assert len(arrivals) == 6
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.24
    agents = [agent for _, agent in arrivals]
    assert sum(a != b for a, b in itertools.pairwise(agents)) >= 2  # they took turns


def test_with_redis_away_the_shared_throttle_falls_back_to_this_process():
    throttle = RedisHostThrottle(redis.Redis.from_url("redis://127.0.0.1:9/0"))  # nothing there
    host = f"{uuid.uuid4().hex}.example.org"
    waits: list[float] = []
    throttle.wait(host, 5.0, sleep=waits.append)
    throttle.wait(host, 5.0, sleep=waits.append)
    assert len(waits) == 1 and 4.9 < waits[0] <= 5.0
