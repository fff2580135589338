"""A fast SMTP server for fault tests, counting what it accepts per recipient.

aiosmtpd reads DATA line by line in Python (tens of milliseconds for a digest) and, sharing one
event loop between connections, answers one client's end of data only after it has read the
other's lines. That stretches the one truly ambiguous window (end of data sent, reply not yet
recorded) far beyond what a production MTA shows, and a kill test would mostly measure the sink.
This server scans DATA in whole buffers (like digest/bench/sink.py), runs in its own thread, and
speaks enough SMTP for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT. A transaction
whose connection drops before the final dot is discarded, as every SMTP server does.

Faults, switchable while it runs: `reply` answers the end of data with that line (a 4xx or
5xx) instead of accepting, for the next `refuse` messages (then accepts again); `hang` leaves
the next `hang` connections without a greeting, so the client's timeout trips.
"""

from __future__ import annotations

import asyncio
import collections
import threading

from tests.conftest import free_port


class _Session(asyncio.Protocol):
    def __init__(self, sink: FastSink) -> None:
        self.sink = sink
        self.buffer = b""
        self.in_data = False
        self.recipients: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.sink.connections += 1
        self.silent = self.sink.hang > 0
        if self.silent:
            self.sink.hang -= 1
            self.sink.hung += 1
            return
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        if self.silent:
            return
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    self.buffer = self.buffer[-4:]  # all that could start the terminator
                    return
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                self.transport.write(self.sink.end_of_data(self.recipients))
                self.recipients = []
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            line, self.buffer = self.buffer[:line_end], self.buffer[line_end + 2 :]
            self.command(line)

    def command(self, line: bytes) -> None:
        verb = line[:4].upper()
        if verb == b"EHLO":
            self.transport.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
        elif verb == b"RCPT":
            address = line.split(b":", 1)[1].strip().split(b" ")[0].strip(b"<>")
            self.recipients.append(address.decode())
            self.transport.write(b"250 OK\r\n")
        elif verb == b"DATA":
            self.in_data = True
            self.buffer = b"\r\n" + self.buffer  # the terminator may follow an empty body
            self.transport.write(b"354 go ahead\r\n")
        elif verb == b"RSET":
            self.recipients = []
            self.transport.write(b"250 OK\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 bye\r\n")
            self.transport.close()
        else:  # HELO, MAIL, NOOP
            self.transport.write(b"250 OK\r\n")


class Mailbox:
    """What a test mail server took, per recipient; safe to read from the test's thread."""

    def __init__(self) -> None:
        self.accepted: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    @property
    def received(self) -> int:
        with self._lock:
            return sum(self.accepted.values())

    def per_recipient(self) -> collections.Counter[str]:
        with self._lock:
            return collections.Counter(self.accepted)


class FastSink(Mailbox):
    def __init__(self) -> None:
        super().__init__()
        self.port = free_port()
        self.refused = 0
        self.connections = 0
        self.reply = "451 4.3.0 Try again later"  # the answer while refusing
        self.refuse = 0  # how many more ends of data to refuse
        self.hang = 0  # how many more connections to leave without a greeting
        self.hung = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    def end_of_data(self, recipients: list[str]) -> bytes:
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return self.reply.encode() + b"\r\n"
        with self._lock:
            self.accepted.update(recipients)
        return b"250 2.0.0 accepted\r\n"

    def start(self) -> FastSink:
        self._thread.start()
        create = self._loop.create_server(lambda: _Session(self), "127.0.0.1", self.port)
        self._server = asyncio.run_coroutine_threadsafe(create, self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
