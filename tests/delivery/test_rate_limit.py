"""The send-rate limit holds across workers: every sender counts in one shared Redis window."""

from __future__ import annotations

import collections
import threading
import time
import uuid

import pytest
import redis
from django.conf import settings

from digest.ratelimit import LocalLimiter, RedisWindowLimiter


@pytest.mark.redis
def test_two_workers_sharing_redis_never_exceed_the_rate_together():
    key = f"paperboy:test-rate:{uuid.uuid4()}"
    workers = [
        RedisWindowLimiter(redis.Redis.from_url(settings.REDIS_URL), rate=5, key=key)
        for _ in range(2)
    ]
    sent_in_second: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()

    def send(limiter: RedisWindowLimiter) -> None:
        for _ in range(6):
            limiter.acquire()
            with lock:
                sent_in_second[int(time.time())] += 1

    threads = [threading.Thread(target=send, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sent_in_second.values()) == 12
    assert max(sent_in_second.values()) <= 5
    assert len(sent_in_second) >= 3  # 12 messages at 5 a second need three windows


def test_one_process_without_redis_keeps_its_own_bucket():
    limiter = LocalLimiter(rate=50)
    moments = []
    for _ in range(60):
        limiter.acquire()
        moments.append(time.monotonic())

    # A full bucket of 50 goes at once; the other 10 wait for tokens at 50 a second.
    assert moments[-1] - moments[0] >= 10 / 50 * 0.9
