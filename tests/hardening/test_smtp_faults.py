"""The SMTP server refusing (4xx), or accepting TCP and never answering (the timeout trips), for
a while: the edition completes once the fault clears, nobody gets two, nobody is lost, and each
row shows what happened (attempts and the earlier reason)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from digest.delivery.runs import send_edition
from digest.models import Delivery
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers
from tests.smtp_sink import FastSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings) -> Iterator[FastSink]:
    server = FastSink().start()
    settings.EMAIL_BACKEND = "digest.delivery.backends.SMTPBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    yield server
    server.stop()


def readers(count: int) -> list[str]:
    topic = make_topic()
    robot_papers(1)
    emails = [f"reader{i:03d}@example.org" for i in range(count)]
    for email in emails:
        make_reader(email, topics=(topic,))
    return emails


@pytest.mark.parametrize(
    "answer", ["421 4.7.0 Too busy, closing transmission channel", "451 4.3.0 Try again later"]
)
def test_a_server_answering_4xx_for_a_while_then_recovering_loses_nobody(sink, answer):
    emails = readers(30)
    sink.reply, sink.refuse = answer, 45  # everyone refused once, half of them twice

    report = send_edition(frequency="daily", date=DAY)

    rows = Delivery.objects.all()
    assert (report.sent, report.failed, sink.refused) == (30, 0, 45)
    assert sink.per_recipient() == dict.fromkeys(emails, 1)
    assert sorted(rows.values_list("attempts", flat=True)) == [2] * 15 + [3] * 15
    for row in rows:
        assert row.status == "sent"
        assert row.reason == f"sent on attempt {row.attempts} after: SMTP {answer}"


def test_a_server_that_never_answers_trips_the_timeout_and_is_retried(sink):
    emails = readers(3)
    sink.hang = 2  # two connections get no greeting at all

    report = send_edition(frequency="daily", date=DAY)

    assert (report.sent, report.failed, sink.hung) == (3, 0, 2)
    assert sink.per_recipient() == dict.fromkeys(emails, 1)
    retried = Delivery.objects.filter(attempts__gt=1)
    assert retried.count() >= 1
    assert all("timed out" in row.reason for row in retried)


def test_a_4xx_that_outlasts_the_attempts_fails_visibly_and_sends_nothing(sink, settings):
    settings.SEND_MAX_ATTEMPTS = 3
    readers(2)
    sink.refuse = 100

    report = send_edition(frequency="daily", date=DAY)

    assert (report.sent, report.failed, sink.received) == (0, 2, 0)
    for row in Delivery.objects.all():
        assert row.status == "failed"
        assert row.reason == "gave up after 3 attempts: SMTP 451 4.3.0 Try again later"
