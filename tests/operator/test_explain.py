"""'Why did X get no email?' answers for every reason, on the page and the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from digest.ops.explain import Reason, explain_reader
from subscriptions.models import Subscriber
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_named_as_such():
    answer = explain_reader(email="nobody@example.org")
    assert answer.reason == Reason.UNKNOWN
    assert not answer.found
    assert "No reader has this address" in answer.verdict


def test_an_address_waiting_to_replace_another_is_pointed_out():
    f.settled_reader("old@example.org", pending_email="new@example.org")
    answer = explain_reader(email="new@example.org")
    assert answer.reason == Reason.UNKNOWN
    assert "old@example.org" in answer.verdict


def test_a_reader_who_never_confirmed_is_pending_with_the_confirmation_time():
    f.settled_reader("pending@example.org", status=Subscriber.Status.PENDING, confirmed_at=None)
    answer = explain_reader(email="PENDING@example.org")
    assert answer.reason == Reason.PENDING
    assert "never confirmed" in answer.verdict
    assert "confirmation mail went out" in answer.verdict


def test_an_unsubscribed_reader_is_told_apart():
    f.settled_reader("gone@example.org", status="unsubscribed", unsubscribed_at=timezone.now())
    answer = explain_reader(email="gone@example.org")
    assert answer.reason == Reason.UNSUBSCRIBED
    assert any(t.what == "Unsubscribed" for t in answer.timeline)


@pytest.mark.parametrize("why", ["hard bounce: 550 mailbox unavailable", "spam complaint"])
def test_a_suppressed_reader_shows_the_bounce_or_complaint(why):
    f.settled_reader(
        "bounced@example.org",
        status="suppressed",
        suppression_reason=why,
        suppressed_at=timezone.now(),
    )
    answer = explain_reader(email="bounced@example.org")
    assert answer.reason == Reason.SUPPRESSED
    assert why in answer.verdict


def test_a_paused_reader_says_until_when():
    until = timezone.localdate() + dt.timedelta(days=10)
    f.settled_reader("resting@example.org", status="paused", paused_until=until)
    answer = explain_reader(email="resting@example.org")
    assert answer.reason == Reason.PAUSED
    assert f"{until:%Y-%m-%d}" in answer.verdict


def test_a_skipped_edition_with_no_match_is_the_answer():
    reader = f.settled_reader("picky@example.org")
    f.make_delivery(reader, f.make_edition(), status="skipped", reason="no matching papers")
    answer = explain_reader(email="picky@example.org")
    assert answer.reason == Reason.NO_MATCH
    assert "no matching papers" in answer.verdict


def test_a_failed_send_shows_the_error():
    reader = f.settled_reader("broken@example.org")
    f.make_delivery(
        reader, f.make_edition(), status="failed", reason="550 5.1.1 mailbox unavailable"
    )
    answer = explain_reader(email="broken@example.org")
    assert answer.reason == Reason.FAILED
    assert "550 5.1.1" in answer.verdict


def test_a_sent_digest_names_its_message_id_and_later_esp_events():
    reader = f.settled_reader("happy@example.org")
    sent = f.make_delivery(reader, f.make_edition())
    f.make_event(sent, "delivered")
    f.make_event(sent, "bounced", description="mailbox full")
    answer = explain_reader(email="happy@example.org")
    assert answer.reason == Reason.SENT
    assert sent.message_id in answer.verdict
    assert "bounced" in answer.verdict
    assert set(answer.deliveries[0].events) == {"delivered", "bounced"}
    assert any(t.what == "ESP event: bounced" and t.tone == "bad" for t in answer.timeline)


def test_an_active_reader_without_editions_yet_says_so():
    f.settled_reader("new@example.org")
    assert explain_reader(email="new@example.org").reason == Reason.NO_EDITION


def test_the_latest_edition_decides_the_verdict():
    reader = f.settled_reader("history@example.org")
    today = timezone.localdate()
    f.make_delivery(reader, f.make_edition(today - dt.timedelta(days=1)))
    f.make_delivery(reader, f.make_edition(today), status="skipped", reason="no matching papers")
    answer = explain_reader(email="history@example.org")
    assert answer.reason == Reason.NO_MATCH
    assert [d.status for d in answer.deliveries] == ["skipped", "sent"]


def test_the_preview_shows_papers_the_reader_would_get_next():
    robots = f.TopicFactory(slug="robot-learning")
    f.settled_reader("robots@example.org", topics=[robots])
    f.trending_paper("Robot learning from play")
    f.trending_paper("Protein folding", categories=["q-bio.BM"], abstract="Proteins.")
    answer = explain_reader(email="robots@example.org")
    assert [p["title"] for p in answer.preview] == ["Robot learning from play"]
    assert "Robot learning" in answer.preview[0]["why"]


def test_the_page_shows_the_verdict_timeline_and_preview(operator_client):
    robots = f.TopicFactory(slug="robot-learning")
    reader = f.settled_reader("robots@example.org", topics=[robots])
    f.make_delivery(reader, f.make_edition(), status="failed", reason="554 rejected as spam")
    f.trending_paper("Robot learning from play")
    response = operator_client.get(reverse("ops:reader"), {"email": "robots@example.org"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "send failed" in page
    assert "554 rejected as spam" in page
    assert "Confirmed" in page
    assert "Robot learning from play" in page


def test_the_page_is_for_staff_only(client):
    response = client.get(reverse("ops:reader"), {"email": "x@example.org"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_command_prints_the_same_answer(capsys):
    reader = f.settled_reader("cli@example.org")
    f.make_delivery(reader, f.make_edition(), status="skipped", reason="no matching papers")
    call_command("explain", "cli@example.org")
    out = capsys.readouterr().out
    assert "cli@example.org: skipped: no matching papers" in out
    assert "Timeline:" in out
    assert "Next digest" in out
