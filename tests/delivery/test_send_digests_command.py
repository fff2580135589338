"""`send_digests`: one mail per reader per edition however often it runs, and a dry run that
sends and stores nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from digest.models import Delivery, Edition, SentPaper
from subscriptions.models import Subscriber
from tests.conftest import tasks_run_eagerly
from tests.delivery.factories import DAY, make_paper, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_digests", "--date", DAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_running_it_twice_sends_each_reader_one_mail(smtp_server):
    topic = make_topic()
    robot_papers(3)
    for name in ("ada", "bob", "cy"):
        make_reader(f"{name}@example.org", topics=(topic,))

    first = run()
    second = run()

    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "ada@example.org",
        "bob@example.org",
        "cy@example.org",
    ]
    assert "sent=3 skipped=0 failed=0" in first
    assert "sent=0 skipped=0 failed=0" in second
    assert Delivery.objects.filter(status="sent").count() == 3
    assert SentPaper.objects.count() == 9


def test_a_reader_without_matches_is_skipped_with_the_reason(smtp_server):
    make_topic()
    robot_papers(2)
    make_reader("chemist@example.org", interests="enzyme kinetics")  # no shared word, no meaning

    output = run()

    assert smtp_server.messages == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.reason) == ("skipped", "no matching papers")
    assert "skipped=1" in output


def test_paused_and_suppressed_readers_are_skipped_with_the_reason(smtp_server):
    topic = make_topic()
    robot_papers(1)
    make_reader("away@example.org", topics=(topic,), status="paused", paused_until="2025-12-01")
    make_reader(
        "bounced@example.org",
        topics=(topic,),
        status="suppressed",
        suppression_reason="hard bounce",
    )
    make_reader("gone@example.org", topics=(topic,), status="unsubscribed")

    run()

    assert smtp_server.messages == []
    reasons = dict(Delivery.objects.values_list("subscriber__email", "reason"))
    assert reasons == {
        "away@example.org": "paused until 2025-12-01",
        "bounced@example.org": "suppressed: hard bounce",
    }


def test_dry_run_json_lists_each_reader_papers_in_email_order_and_sends_nothing(smtp_server):
    topic = make_topic()
    papers = robot_papers(2)
    make_paper("Protein folding at scale", abstract="Proteins.")
    make_reader("zed@example.org", topics=(topic,))
    make_reader("Amy@example.org", interests="diffusion policies")
    make_reader("nobody@example.org", interests="medieval manuscripts and palaeography")

    output = json.loads(run("--dry-run", "--json"))

    assert [reader["email"] for reader in output] == ["Amy@example.org", "zed@example.org"]
    amy = output[0]["papers"]
    assert [p["id"] for p in amy] == [papers[1].canonical_id, papers[0].canonical_id]
    assert amy[0]["title"] == papers[1].title
    assert amy[0]["why"] == "mentions your words: diffusion, policies"
    assert amy[0]["score"] > 0
    assert smtp_server.messages == []
    assert not Edition.objects.exists() and not Delivery.objects.exists()


def test_enqueue_hands_batches_to_the_workers_after_commit(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.SEND_BATCH_SIZE = 2
    topic = make_topic()
    robot_papers(1)
    for i in range(5):
        make_reader(f"r{i}@example.org", topics=(topic,))
    with tasks_run_eagerly():
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            output = run("--enqueue")
        assert smtp_server.messages == []  # nothing leaves before the commit
        for callback in callbacks:
            callback()

    assert "3 batches enqueued" in output
    assert len(smtp_server.messages) == 5
    assert Subscriber.objects.count() == 5
