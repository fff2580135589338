"""Real processes for fault tests: Celery workers, management commands and a throwaway
redis-server, all started here and stopped by the pid we hold (never by name)."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

from digest.embeddings import embed_papers
from tests.conftest import Inbox, free_port

ROOT = Path(__file__).resolve().parents[1]
# Ledger states of a row whose digest is not settled yet.
UNFINISHED = ("pending", "sending", "handed_over")


class PacedInbox(Inbox):
    """An SMTP sink that takes a moment per recipient (before DATA, never in the ambiguous
    window after the end of data), so kills and faults land mid-edition."""

    def __init__(self, pause: float = 0.004) -> None:
        super().__init__()
        self.pause = pause

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.pause)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        """Keep the envelope and answer at once (parsing it here would widen the window
        between the end of data and the reply)."""
        if not self.reply.startswith("250"):
            return self.reply
        self.envelopes.append(envelope)
        return self.reply

    @property
    def received(self) -> int:
        return len(self.envelopes)

    def per_recipient(self) -> collections.Counter[str]:
        return collections.Counter(rcpt for e in list(self.envelopes) for rcpt in e.rcpt_tos)


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
        f"{connection.settings_dict['NAME']}"
    )


def service_env(*, smtp_port: int, broker_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a worker, beat or command running against the test database.

    The papers the test made get the vectors ingest would have stored (and the background
    papers theirs), so the processes under test spend their time on what the test measures."""
    embed_papers()
    broker_url = broker_url or settings.CELERY_BROKER_URL
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": settings.SITE_URL,
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "MAIL_DOMAIN": settings.MAIL_DOMAIN,
        "SEND_RATE_PER_SECOND": "0",
        "SEND_BATCH_SIZE": str(settings.SEND_BATCH_SIZE),
        "SEND_RETRY_BASE_SECONDS": "0.2",
        "SEND_RETRY_MAX_SECONDS": "1",
        # Short, so a killed worker's unacknowledged batches come back during the test.
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "EMAIL_TIMEOUT": "5",
        **extra,
    }


def start_worker(
    env: dict[str, str], name: str, *, concurrency: int = 2, queues: str = ""
) -> subprocess.Popen:
    """A prefork worker; on every queue, or only on `queues` (as README's production runs).
    Its log goes to a temporary file, `worker_log(process)` reads the end of it."""
    with tempfile.NamedTemporaryFile(prefix=f"worker-{name}-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-n",
                f"{name}@%h",
                "-c",
                str(concurrency),
                "-P",
                "prefork",
                "-l",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                *(["-Q", queues] if queues else []),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group: a signal reaches every child at once
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    process.log_path = Path(log.name)
    return process


def worker_log(process: subprocess.Popen, lines: int = 40) -> str:
    """The last `lines` of a worker's log, for an assertion message."""
    return "\n".join(process.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_beat(env: dict[str, str], schedule: Path) -> subprocess.Popen:
    """The one beat, with its schedule file where the test says (not the shared var/)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "-s",
            str(schedule),
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_django(env: dict[str, str], code: str) -> subprocess.Popen:
    """`code` in a fresh Django process (what beat or an operator's shell would run)."""
    script = f"import django\ndjango.setup()\n{code}"
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, *, timeout: float = 60) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"exit {process.returncode}: {err[-2000:]}"
    return out


def signal_group(process: subprocess.Popen, sig: int) -> None:
    """Signal the process group we started (and only it), then reap its leader."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait(timeout=30)


def stop_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            try:
                signal_group(process, signal.SIGTERM)
            except subprocess.TimeoutExpired:  # a warm shutdown that hangs must not outlive
                signal_group(process, signal.SIGKILL)  # the test and eat the next one's tasks
        if hasattr(process, "log_path"):
            process.log_path.unlink(missing_ok=True)


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def settled(rows, sink, *, quiet: float, pending_left: bool = False) -> bool:
    """Nothing pending and no row or message moving for `quiet` seconds: every task and retry
    the workers had is done (what remains is for the hourly resume). `pending_left`: pending
    rows may remain (their tasks were lost with the broker)."""
    before = (sorted(rows.values_list("pk", "status")), sink.received)
    time.sleep(quiet)
    after = (sorted(rows.values_list("pk", "status")), sink.received)
    return before == after and (pending_left or not rows.filter(status="pending").exists())


class RedisServer:
    """A redis-server of our own on a free loopback port, without persistence: a restart
    starts empty, as a crashed Redis without AOF does."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=10, what="redis-server to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None


def gunicorn_command(port: int, *, workers: int, threads: int) -> list[str]:
    """gunicorn as README's production section runs it (gthread)."""
    return [
        sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
    ]  # fmt: skip


@contextmanager
def serving(
    command: list[str],
    env: dict[str, str],
    *,
    port: int,
    probe: str,
    timeout: float = 30,
    stop: int = signal.SIGTERM,
) -> Iterator[str]:
    """A web server in its own process group, yielded as its base URL once `probe` answers."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            requests.get(f"{url}{probe}", timeout=2)
        except (requests.ConnectionError, requests.Timeout):  # still starting
            return False
        return True

    try:
        wait_for(answers, timeout=timeout, what=f"{command[2]} to answer")
        yield url
    finally:
        signal_group(process, stop)
