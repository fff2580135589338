"""The embedded default under a burst: `make run`'s web server on its own SQLite file.

Twenty sign-ups and twenty one-click unsubscribes arrive at once: none answers 500 ("database
is locked"), every sign-up is stored and every unsubscribe applied; twenty sign-ups at once
from one address let exactly SIGNUP_RATE_PER_IP_PER_HOUR (10) through.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port
from tests.processes import ROOT, serving

BURST = 20
LIMIT = 10
READERS = """
import json
from subscriptions.emails import unsubscribe_url
from subscriptions.models import Subscriber
readers = [
    Subscriber.objects.create(email=f"reader{{i}}@example.org", status="active")
    for i in range({n})
]
print(json.dumps([unsubscribe_url(r).split("://", 1)[1].split("/", 1)[1] for r in readers]))
"""
COUNTS = """
import json
from subscriptions.models import Subscriber
print(json.dumps({
    "signed_up": Subscriber.objects.filter(email__startswith="new").count(),
    "unsubscribed": Subscriber.objects.filter(status="unsubscribed").count(),
}))
"""


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    dropped = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'paperboy.sqlite3'}",
        # The account-mail task runs in the request: the sign-up's writes happen there too.
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "TRUSTED_PROXY_COUNT": "1",
        "SIGNUP_RATE_PER_IP_PER_HOUR": str(LIMIT),
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture
def server(embedded_env: dict[str, str]) -> Iterator[str]:
    manage(embedded_env, "migrate", "--noinput", "-v", "0")
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with serving(command, embedded_env, port=port, probe="/healthz", timeout=60) as url:
        yield url


def signup_session(url: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    session.trust_env = False
    page = session.get(f"{url}/signup/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return session, token


def burst(calls: list) -> Counter[int]:
    """Run every call at the same moment, each on its own thread; count the status codes."""
    start = threading.Barrier(len(calls))

    def run(call) -> int:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return Counter(pool.map(run, calls))


def sign_up(url: str, n: int, ip: str):
    session, token = signup_session(url)
    data = {
        "csrfmiddlewaretoken": token,
        "email": f"new{n}@example.org",
        "topics": ["robot-learning"],
        "interests": "",
        "exclusions": "",
        "frequency": "daily",
        "weekday": "0",
        "send_hour": "7",
        "timezone": "UTC",
        "max_papers": "10",
        "website": "",
    }
    headers = {"X-Forwarded-For": ip, "Referer": f"{url}/signup/"}

    def post() -> int:
        response = session.post(
            f"{url}/signup/", data=data, headers=headers, allow_redirects=False, timeout=60
        )
        return response.status_code

    return post


def unsubscribe(url: str, path: str):
    def post() -> int:
        response = requests.post(
            f"{url}/{path}", data={"List-Unsubscribe": "One-Click"}, timeout=60
        )
        return response.status_code

    return post


def test_a_burst_of_sign_ups_and_unsubscribes_on_sqlite_loses_nothing(embedded_env, server):
    paths = json.loads(manage(embedded_env, "shell", "-v", "0", "-c", READERS.format(n=BURST)))
    calls = [sign_up(server, n, f"198.51.100.{n}") for n in range(BURST)]
    calls += [unsubscribe(server, path) for path in paths]

    codes = burst(calls)

    assert codes == Counter({302: BURST, 200: BURST}), codes
    counts = json.loads(manage(embedded_env, "shell", "-v", "0", "-c", COUNTS))
    assert counts == {"signed_up": BURST, "unsubscribed": BURST}


def test_twenty_sign_ups_at_once_from_one_address_let_exactly_the_limit_through(server):
    codes = burst([sign_up(server, 100 + n, "203.0.113.9") for n in range(BURST)])

    assert codes == Counter({302: LIMIT, 429: BURST - LIMIT}), codes
