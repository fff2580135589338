"""Through Resend's API, each digest's request carries the ledger id as the idempotency key, so a
row resent after a crash (EMAIL_IDEMPOTENT_RESEND) cannot reach the reader twice. The API is a
real HTTP server on loopback speaking Resend's answer format."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from digest.models import Delivery
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.resend_api import ResendApi

pytestmark = pytest.mark.django_db


@pytest.fixture
def resend_api(settings) -> Iterator[list[tuple[dict, dict]]]:
    api = ResendApi().start()
    settings.EMAIL_BACKEND = "digest.delivery.backends.ResendBackend"
    settings.ANYMAIL = {"RESEND_API_KEY": "re_test_key", "RESEND_API_URL": api.url}
    try:
        yield api.requests
    finally:
        api.stop()


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
