"""`python manage.py bench web`: the reader-facing endpoints under a bounded load.

Starts gunicorn (2 sync workers, 127.0.0.1 only) on the configured database and cache, then
drives it from a second process, wrk (Debian package `wrk`), in three phases:

- one-click: an RFC 8058 POST `List-Unsubscribe=One-Click` to a distinct reader's unsubscribe
  URL per request; afterwards every one of those readers must be unsubscribed in the database
  (no lost unsubscribes);
- home: GET of the home page;
- signup: the sign-up POST with one CSRF cookie+token fetched first and reused, a distinct
  address per request, and the per-IP limit raised for the server under test.

Each phase runs for a fixed number of seconds over a fixed set of distinct readers (a thread
wraps round its slice only if it outlasts it; repeats are idempotent). The readers and sign-ups
it creates are deleted at the end. Figures are printed, never asserted: see
docs/security.md ("Load") for the ones measured.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from argparse import ArgumentParser
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from subscriptions.models import Subscriber
from subscriptions.tokens import subscriber_token

ROOT = Path(settings.BASE_DIR)
BENCH_DOMAIN = "bench.invalid"  # RFC 2606: can never be a real mailbox

# One Lua script for every phase. Each thread walks its own slice of the distinct items for the
# phase's duration; `done` prints the figures as one JSON line for the parent to read.
LUA = r"""
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = tonumber(args[1])
  total = tonumber(args[2])
  sent = 0
  mine = math.floor(total / nthreads)
  if id < total % nthreads then mine = mine + 1 end
end

function request()
  -- Walk this thread's slice of the distinct items; wrap round only if the run outlasts it.
  local index = id + (sent % mine) * nthreads + 1
  sent = sent + 1
  return make_request(index)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write("BENCH-JSON " .. string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
"""


@dataclass
class Figures:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.name:<10} {self.requests:>7} requests  {self.per_second:>8.1f} req/s  "
            f"p50 {self.p50_ms:>6.2f} ms  p99 {self.p99_ms:>6.2f} ms  max {self.max_ms:>7.2f} ms  "
            f"errors {self.errors}"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The database this process uses (under pytest: the test database), for gunicorn."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """gunicorn on loopback with the benchmark's environment; stopped by its own process id."""

    def __init__(self, *, workers: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DEBUG": "false",
            "SIGNUP_RATE_PER_IP_PER_HOUR": str(10**9),
            "EMAIL_URL": "",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            # The sign-up's task runs in the request: its reader is created (and deleted after)
            # here, instead of a sign-up task left in Redis for a real worker to mail.
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "ERROR",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".gunicorn.log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                *(str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}"),
                *("--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited at start-up:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.base + "/signup/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _csrf_pair(base: str) -> tuple[str, str]:
    """One CSRF cookie and the matching form token, fetched like a browser would."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + reverse("subscriptions:signup"), timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    cookie = next((c.value for c in jar if c.name == settings.CSRF_COOKIE_NAME), None)
    if not (token and cookie):
        raise CommandError("the sign-up page gave no CSRF cookie and token")
    return cookie, token.group(1)


def _lua_strings(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(value) for value in values) + "}"


def _wrk(
    *, base: str, path: str, script: str, total: int, connections: int, threads: int, seconds: int
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script + LUA)
        lua.flush()
        command = ["wrk", "--latency", "-t", str(threads), "-c", str(connections)]
        command += ["-d", f"{seconds}s", "--timeout", "5s", "-s", lua.name, base + path]
        command += ["--", str(threads), str(total)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if result.returncode != 0 or line is None:
        raise CommandError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return json.loads(line.removeprefix("BENCH-JSON "))


def _figures(name: str, raw: dict) -> Figures:
    return Figures(
        name=name,
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=raw["status_errors"] + raw["socket_errors"],
    )


def _make_readers(*, run_id: str, count: int) -> list[int]:
    readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"bench-{run_id}-{n}@{BENCH_DOMAIN}", status=Subscriber.Status.ACTIVE)
        for n in range(count)
    )
    return [reader.pk for reader in readers]


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--readers", type=int, default=20000, help="distinct one-click readers")
    parser.add_argument("--seconds", type=int, default=10, help="length of each phase")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)


def run(
    *,
    stdout: TextIO,
    readers: int = 20000,
    seconds: int = 10,
    connections: int = 4,
    threads: int = 1,
    workers: int = 2,
    **options: object,
) -> dict[str, Figures]:
    """Run the three phases; return their figures. Raises CommandError on lost unsubscribes."""
    if shutil.which("wrk") is None:
        raise CommandError("wrk is not installed: apt-get install wrk (CI: add it to .ci/run)")
    if connection.vendor != "postgresql":
        stdout.write("warning: not on PostgreSQL; figures are not comparable to production\n")
    run_id = uuid.uuid4().hex[:8]
    reader_ids = _make_readers(run_id=run_id, count=readers)
    paths = [
        reverse("subscriptions:unsubscribe", args=[subscriber_token("unsubscribe", reader)])
        for reader in Subscriber.objects.filter(pk__in=reader_ids).order_by("pk")
    ]
    server = Server(workers=workers)
    results: dict[str, Figures] = {}
    try:
        server.wait_until_ready()
        common = {
            "base": server.base,
            "connections": connections,
            "threads": threads,
            "seconds": seconds,
        }
        one_click_script = (
            f"local paths = {_lua_strings(paths)}\n"
            "function make_request(i)\n"
            '  return wrk.format("POST", paths[i], {["Content-Type"] = '
            '"application/x-www-form-urlencoded"}, "List-Unsubscribe=One-Click")\n'
            "end\n"
        )
        raw = _wrk(path=paths[0], script=one_click_script, total=len(paths), **common)
        results["one-click"] = _figures("one-click", raw)

        home_script = 'function make_request(i) return wrk.format("GET", "/") end\n'
        raw = _wrk(path="/", script=home_script, total=1, **common)
        results["home"] = _figures("home", raw)

        cookie, token = _csrf_pair(server.base)
        signup_script = (
            f'local cookie = "{settings.CSRF_COOKIE_NAME}={cookie}"\n'
            f'local token = "{token}"\n'
            "function make_request(i)\n"
            f'  local body = "csrfmiddlewaretoken=" .. token .. "&email=bench-{run_id}-s" .. id'
            f' .. "-" .. sent .. "%40{BENCH_DOMAIN}&interests=robot+learning&frequency=daily'
            '&weekday=0&send_hour=7&timezone=UTC&max_papers=10"\n'
            '  return wrk.format("POST", "/signup/", {["Content-Type"] = '
            '"application/x-www-form-urlencoded", ["Cookie"] = cookie}, body)\n'
            "end\n"
        )
        raw = _wrk(path="/signup/", script=signup_script, total=1, **common)
        results["signup"] = _figures("signup", raw)
    finally:
        server.stop()

    # Each 200 answered a distinct reader (up to `readers` of them): that many must be
    # unsubscribed now, or an acknowledged unsubscribe was lost.
    answered = min(len(reader_ids), results["one-click"].requests - results["one-click"].errors)
    unsubscribed = Subscriber.objects.filter(
        pk__in=reader_ids, status=Subscriber.Status.UNSUBSCRIBED
    ).count()
    lost = max(0, answered - unsubscribed)
    signed_up = Subscriber.objects.filter(email__startswith=f"bench-{run_id}-s").count()
    Subscriber.objects.filter(email__startswith=f"bench-{run_id}-").delete()

    stdout.write(
        f"bench web: gunicorn {workers} sync workers on 127.0.0.1, wrk {threads} thread(s) x "
        f"{connections} connections, database {connection.vendor}\n"
    )
    for figures in results.values():
        stdout.write(figures.line() + "\n")
    stdout.write(
        f"one-click: {answered} distinct readers answered 200, {unsubscribed} unsubscribed in "
        f"the database (lost unsubscribes: {lost})\n"
        f"signup: {signed_up} pending readers created by {results['signup'].requests} POSTs\n"
    )
    if lost:
        raise CommandError(f"{lost} one-click unsubscribes were lost")
    return results
