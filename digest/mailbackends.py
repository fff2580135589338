"""SMTP with DKIM: Django's SMTP backend, signing each message with dkimpy when a key is set.

EMAIL_URL=smtp://... picks Django's backend; set EMAIL_BACKEND=digest.mailbackends.DKIMBackend
(with EMAIL_URL for host/port) and DKIM_PRIVATE_KEY_PATH to sign. Through an ESP, the ESP signs.
We sign exactly the bytes we hand to the server (headers are never folded after signing), with
relaxed/relaxed canonicalisation, covering the headers mailbox providers check.
"""

from __future__ import annotations

import smtplib
from pathlib import Path

import dkim
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


class DKIMBackend(EmailBackend):
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
            self.connection.sendmail(from_email, recipients, signed)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
