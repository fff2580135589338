"""Polite HTTP for sources: capped bodies, conditional GETs, bounded retries, per-host spacing.

Retries are urllib3's `Retry` on requests' adapter (429 and 5xx, connection errors, timeouts),
with `Retry-After` respected; `_PoliteRetry` only sets the schedule (2 s, doubling, plus up to
50% jitter; a `Retry-After` of more than MAX_RETRY_WAIT is left to the task's own retry, as
RateLimited) and, before every retry, waits for the host's next slot and gives the attempt a
fresh deadline (digest/ingest/guard.py). urllib3 retries nothing once the headers are in, so a
body cut short (or cut at the deadline) is retried here, on the same Retry's budget.

Every attempt first waits for its host's slot (digest/ingest/spacing.py: 3 s for arXiv, 1 s for
others, across every worker with Redis). The spacing is between request starts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from digest.ingest.guard import FetchGuard, PrivateAddressRefused, mount_guarded
from digest.ingest.sources.records import RateLimited, SourceError
from digest.ingest.spacing import HOST_THROTTLE, Sleep, default_min_interval

MAX_ATTEMPTS = 4
BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each time, plus jitter
MAX_RETRY_WAIT = 120.0  # longer waits are left to the task scheduler, not a blocked worker
MAX_REDIRECTS = 5
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024
# A body that breaks off: worth another attempt.
_BROKEN_BODY = (requests.exceptions.ChunkedEncodingError, requests.ConnectionError, OSError)


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


class Throttle(Protocol):
    def wait(self, host: str, min_interval: float, *, sleep: Sleep = ...) -> float: ...


class _WaitTooLong(Exception):
    """Not an urllib3 error nor an OSError: passes through urllib3 and requests untouched."""

    def __init__(self, wait: float) -> None:
        self.wait = wait


class _PoliteRetry(Retry):
    """urllib3's Retry with our schedule; `before_retry(wait)` does the waiting."""

    def __init__(self, *args: Any, before_retry: Sleep = time.sleep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_retry = before_retry

    def new(self, **kw: Any) -> _PoliteRetry:
        retry = super().new(**kw)
        retry.before_retry = self.before_retry
        return retry

    def get_backoff_time(self) -> float:
        base = BACKOFF_BASE * 2 ** (len(self.history) - 1)
        return base + random.uniform(0, base / 2)  # jitter, not security

    def retry_after(self, response: BaseHTTPResponse | None) -> float | None:
        try:
            return None if response is None else self.get_retry_after(response)
        except InvalidHeader:
            return None

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        wait = self.retry_after(response)
        wait = self.get_backoff_time() if wait is None else wait
        if wait > MAX_RETRY_WAIT:
            raise _WaitTooLong(wait)
        self.before_retry(wait)


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
    the headers and the whole body, however slowly they trickle (digest/ingest/guard.py).
    A redirect to a private address is refused unless its host is in `allowed_private_hosts`.

    Retries 429, 5xx, timeouts and connection errors (see the module docstring); gives up after
    `attempts` with RateLimited (429) or SourceError. Other 4xx, private redirects and oversize
    bodies fail at once: repeating them cannot help.
    """
    host = urlsplit(url).hostname or ""
    interval = default_min_interval(host) if min_interval is None else min_interval
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    guard = FetchGuard(origin_host=host, allowed_private_hosts=allowed_private_hosts)

    def before_retry(wait: float) -> None:
        guard.end_attempt()
        sleep(wait)
        throttle.wait(host, interval, sleep=sleep)
        guard.next_attempt()

    retry = _PoliteRetry(
        total=attempts - 1,
        status_forcelist=_RETRY_STATUSES,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last 429/5xx comes back, to be reported below
        before_retry=before_retry,
    )
    own_session = session is None
    session = session or requests.Session()
    session.max_redirects = MAX_REDIRECTS
    adapter = mount_guarded(session, retry)
    throttle.wait(host, interval, sleep=sleep)
    try:
        with guard.active(timeout):
            while True:
                try:
                    return _get(session, url, headers=headers, max_bytes=max_bytes, guard=guard)
                except _BodyBroke as broke:
                    # The Retry's budget and schedule go on from where urllib3 left them.
                    adapter.max_retries = broke.retry.increment("GET", url, error=broke.error)
                    adapter.max_retries.sleep()
    except _WaitTooLong as too_long:
        message = f"{url}: asked to wait {too_long.wait:.0f} s"
        raise RateLimited(message, retry_after=too_long.wait) from None
    except PrivateAddressRefused as error:
        raise SourceError(f"{url}: {error}") from error
    except (requests.ConnectionError, requests.Timeout, MaxRetryError) as error:
        problem = "Timeout" if guard.expired or _timed_out(error) else _name(error)
        raise SourceError(f"{url}: {problem} after {attempts} attempt(s)") from error
    except requests.RequestException as error:
        # Redirect loops, invalid URLs, undecodable gzip: repeating cannot help.
        raise SourceError(f"{url}: {type(error).__name__}: {error}") from error
    finally:
        adapter.close()
        if own_session:
            session.close()


class _BodyBroke(Exception):
    def __init__(self, retry: Retry, error: ProtocolError) -> None:
        self.retry, self.error = retry, error


def _timed_out(error: Exception) -> bool:
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(reason, NewConnectionError):  # urllib3 files "refused" under timeouts
        return False
    return isinstance(error, requests.Timeout) or isinstance(
        reason, (ConnectTimeoutError, ReadTimeoutError)
    )


def _name(error: Exception) -> str:
    if isinstance(error, MaxRetryError):  # a body that kept breaking
        return getattr(error.reason, "name", type(error.reason).__name__)
    return type(error).__name__


def _get(
    session: requests.Session,
    url: str,
    *,
    headers: dict[str, str],
    max_bytes: int,
    guard: FetchGuard,
) -> FetchResult:
    with session.get(url, headers=headers, timeout=guard.timeout, stream=True) as response:
        status = response.status_code
        tries = 1 + len(response.raw.retries.history) if response.raw.retries else 1
        if status == 429:
            retry_after = response.raw.retries.retry_after(response.raw)
            raise RateLimited(f"{url}: HTTP 429 after {tries} attempt(s)", retry_after=retry_after)
        if status in _RETRY_STATUSES:
            raise SourceError(f"{url}: HTTP {status} after {tries} attempt(s)")
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
        try:
            body = _read_capped(response, max_bytes=max_bytes)
        except (requests.RequestException, OSError) as error:
            if guard.expired:  # our timer cut the sockets: whatever broke, it was the deadline
                raise _BodyBroke(response.raw.retries, _broken("Timeout")) from error
            if isinstance(error, _BROKEN_BODY):
                raise _BodyBroke(response.raw.retries, _broken(error)) from error
            raise
        if guard.expired:  # a body without a length ends "cleanly" when its socket is cut
            raise _BodyBroke(response.raw.retries, _broken("Timeout"))
        return FetchResult(
            status=status,
            body=body,
            etag=response.headers.get("ETag", ""),
            last_modified=response.headers.get("Last-Modified", ""),
        )


def _broken(cause: Exception | str) -> ProtocolError:
    """A ProtocolError (what urllib3 counts as a read error) named after what happened."""
    error = ProtocolError(str(cause))
    error.name = cause if isinstance(cause, str) else type(cause).__name__
    return error


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
