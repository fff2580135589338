"""logfmt lines for runs, with addresses masked."""

from __future__ import annotations

import logging

from digest.logs import email_hash, log_event, logfmt, mask_email


def test_a_run_logs_one_logfmt_line_with_its_counts(caplog):
    with caplog.at_level(logging.INFO, logger="paperboy"):
        log_event("batch.sent", edition=42, sent=180, failed=2, seconds=3.14159)
    assert caplog.messages == ["event=batch.sent edition=42 sent=180 failed=2 seconds=3.142"]


def test_values_with_spaces_or_quotes_are_quoted_and_escaped():
    line = logfmt("ingest.failed", {"error": 'HTTP 503 "busy"\nretry', "ok": False, "x": None})
    assert line == 'event=ingest.failed error="HTTP 503 \\"busy\\"\\nretry" ok=false x='


def test_addresses_are_masked_or_hashed_never_logged_whole():
    assert mask_email("Jane.Doe@Example.org") == "J***@example.org"
    assert mask_email("not-an-address") == "***"
    assert email_hash("Jane.Doe@Example.org") == email_hash(" jane.doe@example.org")
    assert "jane" not in email_hash("jane.doe@example.org")
