"""SMTP backends: Django's, with a hand-over hook at the end of data, and DKIM signing.

EMAIL_URL=smtp://... picks `SMTPBackend`; set EMAIL_BACKEND=digest.delivery.backends.DKIMBackend
(with EMAIL_URL for host/port) and DKIM_PRIVATE_KEY_PATH to sign. Through an ESP, the ESP signs.
We sign exactly the bytes we hand to the server (headers are never folded after signing), with
relaxed/relaxed canonicalisation, covering the headers mailbox providers check.

The hand-over hook: a message with a `before_end_of_data` callable gets it called after the whole
body has been sent and just before the final "." that asks the server to take the message. An
SMTP server discards a transaction that never got its dot, so until then a crash loses nothing;
the sender passes `lambda: ledger.hand_over(claim)`, which commits `handed_over` (this module
imports nothing from the ledger). If the callable returns False (HandOverRefused) or raises,
the connection is dropped without the dot, and the server discards the message. The hook is
the one place between the body and the dot that smtplib's `sendmail` offers short of
re-implementing it, so it stays a callback.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import dkim
from anymail.backends import resend
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address

SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"List-Id",
    b"MIME-Version",
    b"Content-Type",
)


def dkim_sign(raw: bytes, *, private_key: bytes, selector: str, domain: str) -> bytes:
    """Return `raw` with a DKIM-Signature header in front."""
    present = {
        line.split(b":", 1)[0].strip().lower()
        for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        if line and line[:1] not in (b" ", b"\t")
    }
    signature = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        private_key,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[h for h in SIGNED_HEADERS if h.lower() in present],
    )
    return signature + raw


class ReplyLostAfterHandOver(smtplib.SMTPException):
    """The end of data was sent but no reply came back: the server may or may not have the
    message. Never retried blindly (see the ambiguous rule in docs/reliability.md)."""


class HandOverRefused(Exception):
    """`before_end_of_data` returned False: the message is no longer ours to send."""


class _HandOverData:
    """smtplib.SMTP whose DATA step calls `before_end_of_data` just before the final dot."""

    before_end_of_data: Callable[[], bool] | None = None

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)
        # The dot goes out as its own small write after the body: with Nagle's algorithm it
        # would wait for the server's delayed ACK (~40 ms), all of it inside the hand-over window.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        hook = self.before_end_of_data
        if hook is None:
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        # What smtplib.SMTP.data does, with the body and its terminating dot sent apart.
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        body = smtplib._quote_periods(msg)
        if body[-2:] != b"\r\n":
            body += b"\r\n"
        self.send(body)
        try:
            if not hook():
                raise HandOverRefused("the row was taken back before the end of data")
        except BaseException:
            self.close()  # without its dot, the server throws the transaction away
            raise
        try:
            self.send(b".\r\n")
            return self.getreply()
        except smtplib.SMTPServerDisconnected as error:
            raise ReplyLostAfterHandOver(f"no reply to the end of data: {error}") from error


class HandOverSMTP(_HandOverData, smtplib.SMTP):
    pass


class HandOverSMTPSSL(_HandOverData, smtplib.SMTP_SSL):
    pass


class SMTPBackend(EmailBackend):
    """Django's SMTP backend whose connections call a message's `before_end_of_data`."""

    hands_over_at_end_of_data = True

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return HandOverSMTPSSL if self.use_ssl else HandOverSMTP

    @contextlib.contextmanager
    def _hand_over_hook(self, email_message: EmailMessage) -> Iterator[None]:
        connection = self.connection
        connection.before_end_of_data = getattr(email_message, "before_end_of_data", None)
        try:
            yield
        finally:
            connection.before_end_of_data = None

    def _send(self, email_message: EmailMessage) -> bool:
        with self._hand_over_hook(email_message):
            return super()._send(email_message)


class DKIMBackend(SMTPBackend):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.private_key: bytes | None = None
        if settings.DKIM_PRIVATE_KEY_PATH:
            try:
                self.private_key = Path(settings.DKIM_PRIVATE_KEY_PATH).read_bytes()
            except OSError as error:
                raise ImproperlyConfigured(
                    f"DKIM_PRIVATE_KEY_PATH cannot be read: {error}"
                ) from error
        self.selector = settings.DKIM_SELECTOR
        self.domain = settings.DKIM_DOMAIN or settings.MAIL_DOMAIN

    def _send(self, email_message: EmailMessage) -> bool:
        if self.private_key is None:
            return super()._send(email_message)
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(a, encoding) for a in email_message.recipients()]
        raw = email_message.message().as_bytes(linesep="\r\n")
        signed = dkim_sign(
            raw, private_key=self.private_key, selector=self.selector, domain=self.domain
        )
        try:
            with self._hand_over_hook(email_message):
                self.connection.sendmail(from_email, recipients, signed)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True


class ResendBackend(resend.EmailBackend):
    """anymail's Resend backend, with our ledger id as Resend's API idempotency key.

    Resend answers a repeated request with the same `Idempotency-Key` header (within 24 hours)
    without sending again, so with EMAIL_IDEMPOTENT_RESEND=true a row left `handed_over` by a
    crash is resent safely. The key is an instruction to the API, not a header of the mail.
    """

    def build_message_payload(self, message: EmailMessage, defaults: dict):
        payload = super().build_message_payload(message, defaults)
        key = message.extra_headers.get("Idempotency-Key")
        if key:
            payload.headers["Idempotency-Key"] = key
            payload.data.get("headers", {}).pop("Idempotency-Key", None)
        return payload
