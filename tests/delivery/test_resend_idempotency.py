"""Through Resend's API, each digest's request carries the ledger id as the idempotency key, so a
row resent after a crash (EMAIL_IDEMPOTENT_RESEND) cannot reach the reader twice. The API is a
real HTTP server on loopback speaking Resend's answer format."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from digest.models import Delivery
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


class FakeResendApi(BaseHTTPRequestHandler):
    requests: list[tuple[dict, dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeResendApi.requests.append((dict(self.headers), body))
        answer = json.dumps({"id": f"resend-{len(FakeResendApi.requests)}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def resend_api(settings) -> Iterator[list[tuple[dict, dict]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeResendApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeResendApi.requests = []
    settings.EMAIL_BACKEND = "digest.mailbackends.ResendBackend"
    settings.ANYMAIL = {
        "RESEND_API_KEY": "re_test_key",
        "RESEND_API_URL": f"http://127.0.0.1:{server.server_port}/",
    }
    try:
        yield FakeResendApi.requests
    finally:
        server.shutdown()
        server.server_close()


def test_each_digest_request_carries_its_ledger_id_as_the_idempotency_key(resend_api) -> None:
    topic = make_topic()
    robot_papers(3)
    make_reader("ada@example.org", topics=(topic,))

    call_command("send_digests", "--date", DAY.isoformat(), stdout=io.StringIO())

    [delivery] = Delivery.objects.all()
    [(headers, body)] = resend_api
    assert headers["Idempotency-Key"] == f"delivery-{delivery.pk}"
    assert "Idempotency-Key" not in body.get("headers", {})  # an API instruction, not mail
    assert body["to"] == ["ada@example.org"]
    assert body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert delivery.status == Delivery.Status.SENT
    assert delivery.message_id == "resend-1"
