"""Over plain SMTP, a configured key signs every digest; the signature verifies as received."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import dkim
import pytest
from django.core.management import call_command

from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


@pytest.fixture
def dkim_key(tmp_path, settings, smtp_server):
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a key")
    path = tmp_path / "dkim.pem"
    subprocess.run(
        ["openssl", "genrsa", "-out", str(path), "2048"], check=True, capture_output=True
    )
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(path), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    settings.EMAIL_BACKEND = "digest.delivery.backends.DKIMBackend"
    settings.DKIM_PRIVATE_KEY_PATH = str(path)
    settings.DKIM_SELECTOR = "pb2025"
    settings.DKIM_DOMAIN = "paperboy.example"
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_a_digest_sent_over_smtp_carries_a_dkim_signature_that_verifies(smtp_server, dkim_key):
    robot_papers(3)
    make_reader("ada@example.org", topics=(make_topic(),))

    call_command("send_digests", "--date", DAY.isoformat(), stdout=None)

    raw = smtp_server.envelopes[0].original_content
    records = {b"pb2025._domainkey.paperboy.example.": dkim_key}
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: records.get(name))
    signature = re.search(rb"DKIM-Signature:(.*?)\r\n(?![ \t])", raw, re.S).group(1)
    covered = re.sub(rb"\s", b"", re.search(rb"h=([^;]+);", signature).group(1)).lower()
    for header in (
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"list-unsubscribe",
        b"list-unsubscribe-post",
        b"list-id",
    ):
        assert header in covered.split(b":")


def test_a_tampered_list_unsubscribe_header_fails_verification(smtp_server, dkim_key):
    robot_papers(1)
    make_reader("ada@example.org", topics=(make_topic(),))
    call_command("send_digests", "--date", DAY.isoformat(), stdout=None)

    raw = smtp_server.envelopes[0].original_content
    tampered = raw.replace(
        b"List-Unsubscribe: <https://paperboy.example/u/",
        b"List-Unsubscribe: <https://evil.example/u/",
    )
    records = {b"pb2025._domainkey.paperboy.example.": dkim_key}
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: records.get(name))
