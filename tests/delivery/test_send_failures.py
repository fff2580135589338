"""What happens when the mail server says "later", says "never", or the sender dies mid-send."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digest.delivery.ledger import AMBIGUOUS_REASON, recover_stuck_deliveries
from digest.delivery.runs import send_edition
from digest.delivery.send import send_batch
from digest.editions import build_edition
from digest.models import Delivery
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


def one_reader_edition() -> Delivery:
    robot_papers(2)
    make_reader("ada@example.org", topics=(make_topic(),))
    build_edition(frequency="daily", date=DAY)
    return Delivery.objects.get()


def answer_once(inbox, reply: str) -> None:
    """The SMTP server answers `reply` to the next DATA, then accepts again."""
    original = inbox.handle_DATA
    inbox.reply = reply

    async def handle_DATA(server, session, envelope):
        response = await original(server, session, envelope)
        inbox.reply = "250 Message accepted for delivery"
        return response

    inbox.handle_DATA = handle_DATA


def test_a_4xx_answer_is_retried_and_the_reader_gets_one_mail(smtp_server):
    robot_papers(2)
    make_reader("ada@example.org", topics=(make_topic(),))
    answer_once(smtp_server, "451 4.3.0 Try again later")

    report = send_edition(frequency="daily", date=DAY)

    assert report.sent == 1
    assert len(smtp_server.to("ada@example.org")) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert delivery.reason == "sent on attempt 2 after: SMTP 451 4.3.0 Try again later"


def test_a_4xx_answer_puts_the_row_back_to_pending_with_the_reason(smtp_server):
    delivery = one_reader_edition()
    answer_once(smtp_server, "451 4.3.0 Try again later")

    result = send_batch(delivery_ids=[delivery.pk])

    delivery.refresh_from_db()
    assert result.retry == [delivery.pk]
    assert delivery.status == "pending"
    assert delivery.reason.startswith("will retry: SMTP 451")


def test_transient_errors_give_up_after_the_attempts_allowed(smtp_server, settings):
    settings.SEND_MAX_ATTEMPTS = 3
    robot_papers(1)
    make_reader("ada@example.org", topics=(make_topic(),))
    smtp_server.reply = "421 4.7.0 Too busy"

    report = send_edition(frequency="daily", date=DAY)

    delivery = Delivery.objects.get()
    assert report.failed == 1
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.reason.startswith("gave up after 3 attempts: SMTP 421")


def test_a_5xx_answer_fails_the_row_with_the_reason_and_is_not_retried(smtp_server):
    robot_papers(1)
    make_reader("ada@example.org", topics=(make_topic(),))
    smtp_server.reply = "550 5.1.1 No such user"

    report = send_edition(frequency="daily", date=DAY)
    smtp_server.reply = "250 OK"
    again = send_edition(frequency="daily", date=DAY)

    delivery = Delivery.objects.get()
    assert (report.failed, again.sent) == (1, 0)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.reason == "SMTP 550 5.1.1 No such user"
    assert smtp_server.messages == []


def test_an_unreachable_server_is_a_transient_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    delivery = one_reader_edition()

    result = send_batch(delivery_ids=[delivery.pk])

    delivery.refresh_from_db()
    assert result.retry == [delivery.pk] and delivery.status == "pending"
    assert "ConnectionRefusedError" in delivery.reason


def test_a_row_claimed_by_another_sender_is_not_sent_again(smtp_server):
    delivery = one_reader_edition()
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=timezone.now())

    result = send_batch(delivery_ids=[delivery.pk])

    assert (result.sent, result.not_claimed) == (0, 1)
    assert smtp_server.messages == []


def test_a_row_left_sending_by_a_crash_is_sent_again_once_stale(smtp_server):
    """`sending`: the end of data never left, so the server discarded the message."""
    delivery = one_reader_edition()
    claimed = timezone.now() - dt.timedelta(minutes=31)
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=claimed, attempts=1)
    fresh = make_reader("fresh@example.org")
    recent = Delivery.objects.create(
        subscriber=fresh, edition=delivery.edition, status="sending", claimed_at=timezone.now()
    )

    report = send_edition(frequency="daily", date=DAY)

    delivery.refresh_from_db()
    recent.refresh_from_db()
    assert (report.recovered.resent, report.recovered.ambiguous) == (1, 0)
    assert delivery.status == "sent"
    assert delivery.reason.startswith("sent on attempt 2 after: resent after crash")
    assert recent.status == "sending"  # may still be in flight: left alone
    assert [str(m["To"]) for m in smtp_server.messages] == ["ada@example.org"]


def test_a_row_left_handed_over_by_a_crash_is_marked_ambiguous_and_never_resent(smtp_server):
    delivery = one_reader_edition()
    claimed = timezone.now() - dt.timedelta(minutes=31)
    Delivery.objects.filter(pk=delivery.pk).update(status="handed_over", claimed_at=claimed)

    settled = recover_stuck_deliveries()
    send_edition(frequency="daily", date=DAY)

    delivery.refresh_from_db()
    assert (settled.resent, settled.ambiguous) == (0, 1)
    assert (delivery.status, delivery.reason) == ("failed", AMBIGUOUS_REASON)
    assert smtp_server.messages == []


def test_with_an_idempotent_esp_a_handed_over_row_is_resent_with_the_same_key(
    smtp_server, settings
):
    settings.EMAIL_IDEMPOTENT_RESEND = True
    delivery = one_reader_edition()
    claimed = timezone.now() - dt.timedelta(minutes=31)
    Delivery.objects.filter(pk=delivery.pk).update(status="handed_over", claimed_at=claimed)

    send_edition(frequency="daily", date=DAY)

    [message] = smtp_server.messages
    assert message["Idempotency-Key"] == f"delivery-{delivery.pk}"
    delivery.refresh_from_db()
    assert delivery.status == "sent"
