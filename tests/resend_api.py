"""Resend's email API on loopback, for tests: `POST /emails` answers `{"id": ...}` and, like
Resend, a request repeating an `Idempotency-Key` seen before gets the first answer back and
sends nothing ("the same response, without actually sending the email again"). Counts what it
would have delivered per recipient (a Mailbox, like tests/smtp_sink.py).
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.smtp_sink import Mailbox


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        try:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        except ValueError:  # the client died mid-request (a kill test): nothing to send
            self.send_error(400, "truncated request")
            return
        answer = json.dumps({"id": self.server.api.accept(dict(self.headers), body)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: ResendApi

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client was killed mid-request (the kill tests): nothing went wrong here
        super().handle_error(request, client_address)


class ResendApi(Mailbox):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[dict, dict]] = []
        self._ids: dict[str, str] = {}  # idempotency key -> the id first answered
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}/"

    def accept(self, headers: dict, body: dict) -> str:
        key = headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append((headers, body))
            if key in self._ids:
                return self._ids[key]
            message_id = f"resend-{len(self.requests)}"
            if key:
                self._ids[key] = message_id
            self.accepted.update(body["to"])
            return message_id

    def start(self) -> ResendApi:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
