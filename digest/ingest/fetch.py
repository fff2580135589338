"""Polite HTTP for sources: capped bodies, conditional GETs, bounded retries, per-host spacing.

arXiv's terms allow one request every 3 seconds on one connection. `HostThrottle` enforces a
minimum interval per host between the threads of one process; with Redis, ingestion passes
digest.ratelimit.RedisHostThrottle instead, which holds the interval across every worker on
every machine. The spacing is between request starts: an answer slower than the interval
would overlap the next request (arXiv's listings and API pages come back well within 3 s).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import requests

from digest.ingest.guard import FetchGuard, PrivateAddressRefused, guard_session
from digest.ingest.sources.records import RateLimited, SourceError
from digest.ratelimit import HOST_THROTTLE, Sleep

ARXIV_MIN_INTERVAL = 3.0
DEFAULT_MIN_INTERVAL = 1.0
MAX_ATTEMPTS = 4
BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each time, plus jitter
MAX_RETRY_WAIT = 120.0  # longer waits are left to the task scheduler, not a blocked worker
MAX_REDIRECTS = 5
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024
# Failures of the connection rather than of the request: worth another attempt.
_TRANSIENT = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


@dataclass(frozen=True)
class _Retry:
    """An answer worth repeating (429, 5xx), with the wait the server asked for, if any."""

    status: int
    retry_after: float | None


class Throttle(Protocol):
    def wait(self, host: str, min_interval: float, *, sleep: Sleep = ...) -> float: ...


def default_min_interval(host: str) -> float:
    """3 s for arXiv hosts (their terms of use), 1 s for everyone else."""
    host = host.lower()
    is_arxiv = host == "arxiv.org" or host.endswith(".arxiv.org")
    return ARXIV_MIN_INTERVAL if is_arxiv else DEFAULT_MIN_INTERVAL


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int,
    timeout: float,
    user_agent: str,
    min_interval: float | None = None,
    attempts: int = MAX_ATTEMPTS,
    sleep: Sleep = time.sleep,
    throttle: Throttle = HOST_THROTTLE,
    session: requests.Session | None = None,
    allowed_private_hosts: Iterable[str] = (),
) -> FetchResult:
    """GET `url` politely. `timeout` is one wall-clock deadline per attempt: connecting,
    the headers and the whole body, however slowly they trickle (digest/fetch_guard.py).
    A redirect to a private address is refused unless its host is in `allowed_private_hosts`.

    Retries 429, 5xx, timeouts and connection errors with exponential back-off and jitter,
    honouring Retry-After; gives up after `attempts` with RateLimited (429) or SourceError.
    Other 4xx and oversize bodies fail at once: repeating them cannot help.
    """
    host = urlsplit(url).hostname or ""
    interval = default_min_interval(host) if min_interval is None else min_interval
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own_session = session is None
    session = guard_session(session or _new_session())
    guard = FetchGuard(origin_host=host, allowed_private_hosts=allowed_private_hosts)
    try:
        for attempt in range(1, attempts + 1):
            throttle.wait(host, interval, sleep=sleep)
            retry_after: float | None = None
            try:
                result = _get(
                    session, url, headers=headers, max_bytes=max_bytes, timeout=timeout, guard=guard
                )
            except PrivateAddressRefused as error:
                raise SourceError(f"{url}: {error}") from error
            except _TRANSIENT as error:
                problem = f"{type(error).__name__}"
            except requests.RequestException as error:
                # Redirect loops, invalid URLs, undecodable gzip: repeating cannot help.
                raise SourceError(f"{url}: {type(error).__name__}: {error}") from error
            else:
                if isinstance(result, FetchResult):
                    return result
                problem = f"HTTP {result.status}"
                retry_after = result.retry_after
            if attempt == attempts:
                break
            delay = retry_after if retry_after is not None else _backoff(attempt)
            if delay > MAX_RETRY_WAIT:
                raise RateLimited(f"{url}: asked to wait {delay:.0f} s", retry_after=delay)
            sleep(delay)
    finally:
        if own_session:
            session.close()
    message = f"{url}: {problem} after {attempts} attempt(s)"
    if problem == "HTTP 429":
        raise RateLimited(message, retry_after=retry_after)
    raise SourceError(message)


def _new_session() -> requests.Session:
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    return session


def _get(
    session: requests.Session,
    url: str,
    *,
    headers: dict[str, str],
    max_bytes: int,
    timeout: float,
    guard: FetchGuard,
) -> FetchResult | _Retry:
    with guard.deadline(timeout) as attempt:
        try:
            result = _get_once(session, url, headers=headers, max_bytes=max_bytes, timeout=timeout)
        except (requests.RequestException, OSError) as error:
            if attempt.expired:  # our timer cut the sockets: whatever broke, it was the deadline
                raise requests.Timeout(f"no complete answer within {timeout:g} s") from error
            raise
        if attempt.expired:  # a body without a length ends "cleanly" when its socket is cut
            raise requests.Timeout(f"no complete answer within {timeout:g} s")
        return result


def _get_once(
    session: requests.Session, url: str, *, headers: dict[str, str], max_bytes: int, timeout: float
) -> FetchResult | _Retry:
    with session.get(url, headers=headers, timeout=timeout, stream=True) as response:
        status = response.status_code
        if status in _RETRY_STATUSES:
            return _Retry(
                status=status, retry_after=_seconds(response.headers.get("Retry-After", ""))
            )
        if status == 304:
            return FetchResult(
                status=304,
                body=b"",
                etag=response.headers.get("ETag", headers.get("If-None-Match", "")),
                last_modified=response.headers.get(
                    "Last-Modified", headers.get("If-Modified-Since", "")
                ),
                not_modified=True,
            )
        if status >= 400:
            raise SourceError(f"{url}: HTTP {status}")
        body = _read_capped(response, max_bytes=max_bytes)
        return FetchResult(
            status=status,
            body=body,
            etag=response.headers.get("ETag", ""),
            last_modified=response.headers.get("Last-Modified", ""),
        )


def _read_capped(response: requests.Response, *, max_bytes: int) -> bytes:
    """Read at most max_bytes (after decompression, so a gzip bomb is caught too)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(f"body larger than {max_bytes} bytes")
    chunks, size = [], 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(f"body larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _backoff(attempt: int) -> float:
    base = BACKOFF_BASE * 2 ** (attempt - 1)
    return base + random.uniform(0, base / 2)  # jitter, not security


def _seconds(retry_after: str) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    value = retry_after.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
