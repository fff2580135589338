"""The hand-over at the SMTP end of data: `sending` while the transaction is open, `handed_over`
committed just before the final dot, `sent` on the 250. A crash before the dot loses nothing."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from digest.delivery.runs import send_edition
from digest.delivery.send import ledger, send_batch
from digest.editions import build_edition
from digest.models import Delivery
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


def one_reader_edition() -> Delivery:
    robot_papers(2)
    make_reader("ada@example.org", topics=(make_topic(),))
    build_edition(frequency="daily", date=DAY)
    return Delivery.objects.get()


def test_the_row_is_handed_over_after_the_body_and_before_the_end_of_data(smtp_server, monkeypatch):
    delivery = one_reader_edition()
    seen: list[tuple[str, int]] = []
    real_hand_over = ledger.hand_over

    def watching(claim: ledger.Claim) -> bool:
        seen.append((Delivery.objects.get(pk=claim.delivery_id).status, len(smtp_server.messages)))
        return real_hand_over(claim)

    monkeypatch.setattr(ledger, "hand_over", watching)

    send_batch(delivery_ids=[delivery.pk])

    delivery.refresh_from_db()
    assert seen == [("sending", 0)]  # called once, before the server had the message
    assert delivery.status == "sent" and len(smtp_server.messages) == 1


def test_if_the_hand_over_cannot_be_recorded_the_server_never_gets_the_message(
    smtp_server, monkeypatch
):
    """What a crash (or a lost database) before the dot does: nothing delivered, row `sending`,
    and the stale rule sends it again, once."""
    delivery = one_reader_edition()

    def database_gone(claim: ledger.Claim) -> bool:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ledger, "hand_over", database_gone)
    with pytest.raises(OperationalError):
        send_batch(delivery_ids=[delivery.pk])
    assert Delivery.objects.get().status == "sending"
    assert smtp_server.messages == []

    monkeypatch.undo()
    later = timezone.now() + dt.timedelta(minutes=31)
    assert ledger.recover_stuck_deliveries(now=later).resent == 1
    send_edition(frequency="daily", date=DAY)

    assert Delivery.objects.get().status == "sent"
    assert [str(m["To"]) for m in smtp_server.messages] == ["ada@example.org"]


def test_a_sender_the_stale_rule_overtook_cannot_hand_over_or_overwrite(smtp_server):
    delivery = one_reader_edition()
    slow = ledger.claim(delivery.pk, receiving_on=DAY)
    later = timezone.now() + dt.timedelta(minutes=31)
    ledger.recover_stuck_deliveries(now=later)  # the slow sender looks crashed: back to pending

    send_batch(delivery_ids=[delivery.pk])  # another sender claims and sends it

    assert ledger.hand_over(slow) is False
    ledger.release(slow, reason="SMTP 451 late")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1


def test_no_reply_to_the_end_of_data_is_ambiguous_and_never_resent(smtp_server, settings):
    """The dot left and the answer never came (timeout): the server may have the message, so
    the row is failed as ambiguous, not retried."""
    settings.EMAIL_TIMEOUT = 1
    delivery = one_reader_edition()
    accept = smtp_server.handle_DATA

    async def accept_slowly(server, session, envelope):
        reply = await accept(server, session, envelope)  # taken: the reply is what is late
        await asyncio.sleep(1.5)
        return reply

    smtp_server.handle_DATA = accept_slowly

    result = send_batch(delivery_ids=[delivery.pk])
    smtp_server.handle_DATA = accept
    again = send_edition(frequency="daily", date=DAY)

    delivery.refresh_from_db()
    assert (result.failed, result.retry, again.sent) == (1, [], 0)
    assert delivery.status == "failed"
    assert delivery.reason.startswith("ambiguous: no reply to the end of data")
    assert len(smtp_server.messages) == 1  # it did arrive: resending would have made two


def test_a_4xx_answer_to_the_end_of_data_is_a_clear_no_and_is_retried(smtp_server):
    delivery = one_reader_edition()
    smtp_server.reply = "451 4.3.0 Try again later"

    first = send_batch(delivery_ids=[delivery.pk])
    smtp_server.reply = "250 OK"
    second = send_batch(delivery_ids=first.retry)

    delivery.refresh_from_db()
    assert (first.retry, second.sent) == ([delivery.pk], 1)
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1
