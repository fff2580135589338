"""`bench send` runs end to end at a small size (a smoke test: no timing is asserted)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from digest.models import Delivery, Paper
from subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_send_sends_through_both_paths_and_cleans_up():
    out = io.StringIO()

    call_command("bench", "send", "--readers", "30", "--papers", "12", stdout=out)

    report = out.getvalue()
    assert "real path: 30 sent, 0 failed" in report
    assert "bare loop: 30 sent" in report
    assert "ratio real/bare:" in report and "memory (VmRSS): start" in report
    assert not Subscriber.objects.exists()
    assert not Paper.objects.exists() and not Delivery.objects.exists()
