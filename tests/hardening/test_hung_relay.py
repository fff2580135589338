"""A mail relay that accepts connections and never answers cannot slow one-click unsubscribe.

Web processes never talk to the mail server (account mail is queued for the `account`
worker), so forty "send me my link" requests for known readers, each of which used to hold a
web worker for the SMTP timeout, leave gunicorn free: a one-click unsubscribe sent right after
them answers within a second. gunicorn runs as README's production section says (gthread),
with fewer processes than there, to fit the test machine.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from django.conf import settings

from subscriptions.emails import unsubscribe_url
from tests.conftest import free_port
from tests.processes import gunicorn_command, serving, worker_database_url
from tests.subscriptions.helpers import make_reader

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
LINK_REQUESTS = 40


@pytest.fixture
def hung_relay() -> Iterator[int]:
    """Accepts every connection and says nothing, ever."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(100)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for sock in held:
            sock.close()
        server.close()


@pytest.fixture
def gunicorn(hung_relay: int) -> Iterator[str]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{hung_relay}",
        "EMAIL_TIMEOUT": "30",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
    }
    command = gunicorn_command(port, workers=2, threads=8)
    try:
        with serving(command, env, port=port, probe="/link/", stop=signal.SIGKILL) as url:
            yield url
    finally:
        redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the account mail nobody sent


def test_one_click_unsubscribe_answers_within_a_second_while_the_relay_hangs(
    transactional_db, gunicorn
):
    readers = [make_reader(f"reader{n}@example.org") for n in range(LINK_REQUESTS)]
    unsubscribe_path = unsubscribe_url(readers[0]).split("://", 1)[1].split("/", 1)[1]
    session = requests.Session()
    token = session.get(f"{gunicorn}/link/", timeout=10).cookies["csrftoken"]

    def send_my_link(n: int) -> int:
        return session.post(
            f"{gunicorn}/link/",
            data={"email": f"reader{n}@example.org", "csrfmiddlewaretoken": token},
            headers={"X-Forwarded-For": f"198.51.100.{n}", "Referer": f"{gunicorn}/link/"},
            allow_redirects=False,
            timeout=120,
        ).status_code

    with ThreadPoolExecutor(LINK_REQUESTS) as pool:
        links = [pool.submit(send_my_link, n) for n in range(LINK_REQUESTS)]
        time.sleep(0.5)  # they are all in (or done) before the mailbox provider's POST
        started = time.monotonic()
        unsubscribed = requests.post(
            f"{gunicorn}/{unsubscribe_path}", data={"List-Unsubscribe": "One-Click"}, timeout=60
        )
        took = time.monotonic() - started
        codes = [link.result() for link in links]

    assert unsubscribed.status_code == 200
    assert took < 1.0, f"one-click unsubscribe took {took:.2f} s"
    assert codes == [302] * LINK_REQUESTS
