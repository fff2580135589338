"""What reaches the log during a reader's whole journey (sign-up, confirm, a reused link, a bad
form on the preferences page, a refusing mail server, unsubscribe) names no token, feed key or
full address."""

from __future__ import annotations

import io
import logging
import smtplib
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber
from tests.subscriptions.helpers import link_in, path_of, signup_data

pytestmark = pytest.mark.django_db

ADDRESS = "ada.lovelace@example.org"


@pytest.fixture
def written_log() -> Iterator[io.StringIO]:
    """Everything the configured console handler writes, through its real filters."""
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        yield stream
    finally:
        console.setStream(previous)


def test_a_whole_journey_logs_no_token_and_no_full_address(smtp_server, written_log, caplog):
    browser = Client(REMOTE_ADDR="203.0.113.7")
    smtp_server.reply = "451 4.3.0 Mailbox busy, try again later"
    assert browser.post(reverse("subscriptions:signup"), signup_data(ADDRESS)).status_code == 302
    smtp_server.reply = "250 OK"
    browser.post(reverse("subscriptions:signup"), signup_data(ADDRESS))
    confirm = path_of(link_in(smtp_server.messages[-1], "/confirm/"))
    welcome = browser.post(confirm)
    browser.post(confirm)  # reused: 400, which Django logs with the path
    manage = reverse("subscriptions:manage", args=[welcome.context["manage_path"].split("/")[2]])
    browser.post(manage, {"action": "save", "prefs-max_papers": "999"})  # 400: bad form
    reader = Subscriber.objects.get()
    browser.get(f"/feed/{reader.feed_key}x.xml")  # 404, logged with the path
    unsubscribe = reverse("subscriptions:unsubscribe", args=[manage.split("/")[2]])
    browser.post(unsubscribe)  # a manage token on the unsubscribe URL: 400
    written = written_log.getvalue()

    # The journey did log: the failed mail, the refused link, the bad form, the unknown feed.
    assert "account mail confirm" in written
    assert "Bad Request: /confirm/[token]/" in written
    assert "Bad Request: /manage/[token]/" in written
    assert "Not Found: /feed/[key].xml" in written
    secrets = [
        confirm.split("/")[2],
        manage.split("/")[2],
        reader.feed_key,
        ADDRESS,
        ADDRESS.split("@")[0],
    ]
    for secret in secrets:
        assert secret not in written


def test_a_refusal_naming_the_recipient_is_logged_without_the_address(written_log):
    refusal = smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"5.1.1 <" + ADDRESS.encode() + b">")})

    logging.getLogger("subscriptions.sending").warning("account mail failed: %s", refusal)
    try:
        raise refusal
    except smtplib.SMTPRecipientsRefused:
        logging.getLogger("digest").exception("send failed for %s", ADDRESS)

    written = written_log.getvalue()
    assert "a***@example.org" in written
    assert ADDRESS not in written
    assert "lovelace" not in written


@pytest.mark.parametrize(
    ("address", "hidden"),
    [
        ("o'brien.smith@example.org", "brien"),
        ("josé.garcía@example.org", "garc"),
        ('"ada lovelace"@example.org', "lovelace"),
        ("ada+{news}@example.org", "news"),
        ("ada.lovelace@exämple.org", "lovelace"),
    ],
)
def test_an_odd_address_shows_one_character_of_its_local_part(written_log, address, hidden):
    logging.getLogger("digest").warning("send failed for %s", address)

    written = written_log.getvalue()
    assert hidden not in written
    assert f"{address.lstrip(chr(34))[0]}***@" in written


def test_the_development_servers_request_lines_carry_no_token(written_log):
    """runserver logs every request line through "django.server"; ours redacts it."""
    logging.getLogger("django.server").info(
        '"%s" %s %s', "POST /u/MQ:1xYRaS:SnsYI1S5uoFCp2mImmDFrc/ HTTP/1.1", "200", "512"
    )

    written = written_log.getvalue()
    assert '"POST /u/[token]/ HTTP/1.1" 200 512' in written
    assert "SnsYI1S5" not in written
