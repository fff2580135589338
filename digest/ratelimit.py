"""The global send-rate limit (messages per second), shared by every worker through Redis.

With Redis, all workers share one fixed one-second window counted by an atomic Lua script
(INCR + EXPIRE in one step); a sender that finds the window full sleeps until the next one.
Without Redis (the embedded default: one worker), a per-process token bucket does the same job.
SEND_RATE_PER_SECOND = 0 turns it off. (The per-host spacing of source fetches is in
digest/ingest/spacing.py.)
"""

from __future__ import annotations

import math
import threading
import time
from functools import cache

import redis
from django.conf import settings

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
