"""Per-host spacing of source fetches: at least `min_interval` between request starts to a host.

arXiv's terms allow one request every 3 seconds; everyone else gets 1 s. `HostThrottle` spaces
the threads of one process; with Redis (`REDIS_URL`), `RedisHostThrottle` holds the interval
across every worker on every machine: each request reserves its host's next free slot in one
atomic script timed by the Redis server's clock, so machines' clocks do not matter. With Redis
away, this process's own spacing stands in, so a fetch never fails for want of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)

ARXIV_MIN_INTERVAL = 3.0
DEFAULT_MIN_INTERVAL = 1.0

Sleep = Callable[[float], None]


def default_min_interval(host: str) -> float:
    """3 s for arXiv hosts (their terms of use), 1 s for everyone else."""
    host = host.lower()
    is_arxiv = host == "arxiv.org" or host.endswith(".arxiv.org")
    return ARXIV_MIN_INTERVAL if is_arxiv else DEFAULT_MIN_INTERVAL


class HostThrottle:
    """Keep request starts to one host at least `min_interval` apart across threads.

    Each caller reserves the next free slot under the lock and sleeps outside it, so waiting
    threads queue up in order without holding the lock while asleep.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def reserve(self, host: str, min_interval: float) -> tuple[float, float]:
        """Reserve the host's next slot: (seconds to wait for it, the slot on our clock)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + min_interval
        return slot - now, slot

    def wait(self, host: str, min_interval: float, *, sleep: Sleep = time.sleep) -> float:
        """Block until this host may be contacted again; return how long we slept."""
        delay, _ = self.reserve(host, min_interval)
        if delay > 0:
            sleep(delay)
        return max(delay, 0.0)


HOST_THROTTLE = HostThrottle()

# Reserve the host's next free slot: now (the Redis server's clock, in ms) or the slot after the
# last reservation, whichever is later; return how many ms the caller must wait for it, and the
# slot itself (ms since the epoch).
_HOST_SLOT_SCRIPT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + interval, 'PX', slot - now + interval + 1000)
return {slot - now, slot}
"""


class RedisHostThrottle:
    """HostThrottle's contract across processes and machines."""

    def __init__(self, client: redis.Redis, *, key: str = "paperboy:host-slot") -> None:
        self.key = key
        self.script = client.register_script(_HOST_SLOT_SCRIPT)

    def reserve(self, host: str, min_interval: float) -> tuple[float, float]:
        """Reserve the host's next slot: (seconds to wait for it, the slot as a Unix time)."""
        interval_ms = max(1, round(min_interval * 1000))
        delay_ms, slot_ms = self.script(keys=[f"{self.key}:{host.lower()}"], args=[interval_ms])
        return int(delay_ms) / 1000, int(slot_ms) / 1000

    def wait(self, host: str, min_interval: float, *, sleep: Sleep = time.sleep) -> float:
        """Block until this host may be contacted again; return how long we slept."""
        try:
            delay, _ = self.reserve(host, min_interval)
        except redis.RedisError as error:
            log.warning("host spacing without Redis (%s): this process only", error)
            return HOST_THROTTLE.wait(host, min_interval, sleep=sleep)
        if delay > 0:
            sleep(delay)
        return delay


@cache
def _host_throttle(redis_url: str) -> RedisHostThrottle | HostThrottle:
    return RedisHostThrottle(redis.Redis.from_url(redis_url)) if redis_url else HOST_THROTTLE


def host_throttle() -> RedisHostThrottle | HostThrottle:
    """The spacing source fetches use: shared through Redis when there is one."""
    return _host_throttle(settings.REDIS_URL)
