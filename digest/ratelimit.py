"""Limits shared by every worker on every machine through Redis, with per-process fallbacks.

- The global send-rate limit (messages per second): with Redis, all workers share one fixed
  one-second window counted by an atomic Lua script (INCR + EXPIRE in one step); a sender that
  finds the window full sleeps until the next one. Without Redis (the embedded default: one
  worker), a per-process token bucket does the same job. SEND_RATE_PER_SECOND = 0 turns it off.
- The per-host spacing of source fetches (arXiv's terms: one request every 3 s): with Redis,
  each request reserves the next free slot for its host in one atomic script timed by the
  Redis server's clock, so workers on several machines queue up behind each other; without
  Redis, HostThrottle spaces the threads of one process.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from functools import cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]


class HostThrottle:
    """Keep request starts to one host at least `min_interval` apart across threads.

    Each caller reserves the next free slot under the lock and sleeps outside it, so waiting
    threads queue up in order without holding the lock while asleep.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, host: str, min_interval: float, *, sleep: Sleep = time.sleep) -> float:
        """Block until this host may be contacted again; return how long we slept."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + min_interval
        delay = slot - now
        if delay > 0:
            sleep(delay)
        return max(delay, 0.0)


HOST_THROTTLE = HostThrottle()

_WINDOW_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisWindowLimiter:
    def __init__(
        self, client: redis.Redis, *, rate: float, key: str = "paperboy:send-rate"
    ) -> None:
        # Rates below one a second count over a longer window: 0.5/s = 1 per 2 s.
        self.window = max(1, math.ceil(1 / rate))
        self.limit = max(1, int(rate * self.window))
        self.key = key
        self.script = client.register_script(_WINDOW_SCRIPT)

    def acquire(self) -> None:
        while True:
            now = time.time()
            slot = int(now // self.window)
            count = self.script(keys=[f"{self.key}:{slot}"], args=[self.window * 2])
            if count <= self.limit:
                return
            time.sleep((slot + 1) * self.window - now)


# Reserve the host's next free slot: now (the Redis server's clock, in ms) or the slot after the
# last reservation, whichever is later; return how many ms the caller must wait for it.
_HOST_SLOT_SCRIPT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + interval, 'PX', slot - now + interval + 1000)
return slot - now
"""


class RedisHostThrottle:
    """digest.ingest.fetch.HostThrottle's contract across processes and machines."""

    def __init__(self, client: redis.Redis, *, key: str = "paperboy:host-slot") -> None:
        self.key = key
        self.script = client.register_script(_HOST_SLOT_SCRIPT)

    def wait(self, host: str, min_interval: float, *, sleep: Sleep = time.sleep) -> float:
        """Block until this host may be contacted again; return how long we slept. With Redis
        away, this process's own spacing stands in, so a fetch never fails for want of it."""
        interval_ms = max(1, round(min_interval * 1000))
        try:
            reply = self.script(keys=[f"{self.key}:{host.lower()}"], args=[interval_ms])
        except redis.RedisError as error:
            log.warning("host spacing without Redis (%s): this process only", error)
            return HOST_THROTTLE.wait(host, min_interval, sleep=sleep)
        delay = int(reply) / 1000
        if delay > 0:
            sleep(delay)
        return delay


class LocalLimiter:
    """A token bucket for one process (thread-safe)."""

    def __init__(self, *, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


class NoLimit:
    def acquire(self) -> None:
        return None


@cache
def _limiter(rate: float, redis_url: str) -> RedisWindowLimiter | LocalLimiter | NoLimit:
    if rate <= 0:
        return NoLimit()
    if redis_url:
        return RedisWindowLimiter(redis.Redis.from_url(redis_url), rate=rate)
    return LocalLimiter(rate=rate)


def send_limiter() -> RedisWindowLimiter | LocalLimiter | NoLimit:
    return _limiter(float(settings.SEND_RATE_PER_SECOND), settings.REDIS_URL)


@cache
def _host_throttle(redis_url: str) -> RedisHostThrottle | HostThrottle:
    return RedisHostThrottle(redis.Redis.from_url(redis_url)) if redis_url else HOST_THROTTLE


def host_throttle() -> RedisHostThrottle | HostThrottle:
    """The spacing source fetches use: shared through Redis when there is one."""
    return _host_throttle(settings.REDIS_URL)
