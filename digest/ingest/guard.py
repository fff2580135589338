"""Two guards on every socket a fetch opens: one wall-clock deadline, and no private redirects.

requests' `timeout` bounds each socket operation, not the request: a server that sends a byte
every half second (in the headers or the body, with a Content-Length, chunked or gzipped) never
trips it, and holds a worker for ever. Here each attempt has a deadline: every socket the
attempt uses is registered, and a timer shuts them down when the deadline passes, which wakes
any blocked read at once; the fetch then reports a timeout. (urllib3 cannot do this: its
timeouts are per socket operation too. The retries between attempts are urllib3's Retry, which
calls `next_attempt` through digest.ingest.fetch.)

A source may redirect anywhere; following it into the private network (loopback, RFC 1918,
link-local such as a cloud metadata address at 169.254.169.254) would let a feed read internal
services. A connection to a host other than the source's own is refused when its address is
not globally routable, unless the host is named in FETCH_ALLOWED_PRIVATE_HOSTS. The source's
own host may be private (the operator chose it), but only if its first connection was: a name
that later resolves elsewhere (DNS rebinding) is refused too. The address checked is the one
actually connected to, so resolution cannot change between the check and the use.

Over HTTPS the deadline covers the headers and the body (the TLS socket is registered before
the answer is read); the TLS handshake itself is bounded by the socket timeout. Requests
through a proxy from the environment go through requests' proxy manager and are not guarded.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from config.network import is_private_address

_current = threading.local()


class PrivateAddressRefused(Exception):
    """A redirect (or a re-resolved name) led to an address that is not globally routable.

    Not an OSError on purpose: urllib3 would take it for a network fault and retry it."""


class Attempt:
    """One attempt's deadline: shuts down every registered socket when it passes."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: dict[int, socket.socket] = {}
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets[id(sock)] = sock
            if self.expired:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets.values():
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket: wakes a blocked read with EOF.
    # OSError: already closed, nothing left to wake.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class FetchGuard:
    """The guards of one fetch (all its attempts): see the module docstring."""

    def __init__(self, *, origin_host: str, allowed_private_hosts: Iterable[str] = ()) -> None:
        self.origin_host = origin_host.lower()
        self.allowed = {host.lower() for host in allowed_private_hosts}
        self._origin_private: bool | None = None
        self.timeout = 0.0
        self.attempt: Attempt | None = None

    def check_peer(self, host: str, sock: socket.socket) -> None:
        host = host.lower().strip("[]")
        if host in self.allowed:
            return
        private = is_private_address(sock.getpeername()[0])
        if host == self.origin_host:
            if self._origin_private is None:
                self._origin_private = private
            if private and not self._origin_private:
                raise PrivateAddressRefused(f"{host} now resolves to a private address")
        elif private:
            raise PrivateAddressRefused(
                f"redirected to {host}, a private address (FETCH_ALLOWED_PRIVATE_HOSTS can "
                "allow named hosts)"
            )

    @contextlib.contextmanager
    def active(self, timeout: float) -> Iterator[None]:
        """Guard the sockets this thread opens until the block ends; the first attempt's
        deadline starts now, each later one at `next_attempt`."""
        self.timeout = timeout
        _current.guard = self
        self.next_attempt()
        try:
            yield
        finally:
            self.end_attempt()
            _current.guard = None

    def next_attempt(self) -> None:
        """A fresh deadline for the next attempt (the wait before a retry is not counted)."""
        self.end_attempt()
        self.attempt = Attempt(self.timeout)

    def end_attempt(self) -> None:
        if self.attempt is not None:
            self.attempt.cancel()

    @property
    def expired(self) -> bool:
        """Whether the current attempt ran out of time (our timer cut its sockets)."""
        return self.attempt is not None and self.attempt.expired


class _Guarded:
    """Connection mix-in: check and register each new socket, and each reused one."""

    host: str
    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        guard: FetchGuard | None = getattr(_current, "guard", None)
        if guard is not None:
            try:
                guard.check_peer(self.host, sock)
            except PrivateAddressRefused:
                sock.close()
                raise
            if guard.attempt is not None:
                guard.attempt.watch(sock)
        return sock

    def getresponse(self, *args: object, **kwargs: object) -> object:
        guard: FetchGuard | None = getattr(_current, "guard", None)
        if guard is not None and guard.attempt is not None and self.sock is not None:
            guard.attempt.watch(self.sock)  # a kept-alive connection from an earlier attempt
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Guarded, HTTPConnection):
    pass


class _HTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter with guarded connection pools; its `max_retries` is urllib3's Retry."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def mount_guarded(session: requests.Session, retry: Retry) -> GuardedAdapter:
    """Mount a guarded adapter retrying with `retry` for http and https on `session`."""
    adapter = GuardedAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return adapter
