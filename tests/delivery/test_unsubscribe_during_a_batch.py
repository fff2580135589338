"""A reader who unsubscribes while their batch is being sent gets nothing from that batch: the
claim checks the reader still receives mail, not only the batch's first look."""

from __future__ import annotations

import asyncio

from aiosmtpd.controller import Controller
from django.db import connection

from digest.delivery.send import send_batch
from digest.editions import build_edition
from digest.models import Delivery
from subscriptions.models import Subscriber
from subscriptions.services import unsubscribe
from tests.conftest import Inbox, free_port
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers


class UnsubscribesBobOnFirstMessage(Inbox):
    """An SMTP server during whose first message bob clicks one-click unsubscribe."""

    def __init__(self, bob_id: int) -> None:
        super().__init__()
        self.bob_id = bob_id

    def click(self) -> None:
        unsubscribe(subscriber_id=self.bob_id)
        connection.close()  # this thread's own connection

    async def handle_DATA(self, server, session, envelope) -> str:
        if not self.messages:  # the ORM refuses the event loop's thread: click from another
            await asyncio.get_running_loop().run_in_executor(None, self.click)
        return await super().handle_DATA(server, session, envelope)


def test_a_reader_unsubscribed_mid_batch_is_skipped_not_sent(transactional_db, settings):
    topic = make_topic()
    robot_papers(2)
    make_reader("ada@example.org", topics=(topic,))
    bob = make_reader("bob@example.org", topics=(topic,))
    edition = build_edition(frequency="daily", date=DAY).edition
    inbox = UnsubscribesBobOnFirstMessage(bob.pk)
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    settings.EMAIL_BACKEND = "digest.delivery.backends.SMTPBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        result = send_batch(delivery_ids=list(edition.deliveries.values_list("pk", flat=True)))
    finally:
        smtp.stop()

    assert [str(m["To"]) for m in inbox.messages] == ["ada@example.org"]
    assert (result.sent, result.skipped) == (1, 1)
    row = Delivery.objects.get(subscriber=bob)
    assert (row.status, row.reason) == ("skipped", "reader no longer receiving mail")
    assert Subscriber.objects.get(pk=bob.pk).status == "unsubscribed"
