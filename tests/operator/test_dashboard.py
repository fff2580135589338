"""The dashboard's numbers on a small seeded set, its warnings, and who may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from digest.models import IngestRun, Source
from digest.ops import dashboard
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    today = timezone.localdate()
    robots = f.TopicFactory(slug="robot-learning")
    now = timezone.now()
    readers = [
        f.settled_reader(topics=[robots], created_at=now, confirmed_at=now) for _ in range(4)
    ]
    f.settled_reader(status="unsubscribed", unsubscribed_at=now)
    f.settled_reader(status="suppressed", suppressed_at=now, suppression_reason="hard bounce")
    f.settled_reader(status="pending", confirmed_at=None, created_at=now - dt.timedelta(days=40))
    old, new = f.make_edition(today - dt.timedelta(days=3)), f.make_edition(today)
    for r in readers:
        f.make_delivery(r, old, opens=1)
    sent = [f.make_delivery(r, new) for r in readers[:2]]
    f.make_delivery(readers[2], new, status="skipped", reason="no matching papers")
    f.make_delivery(readers[3], new, status="failed", reason="550 mailbox unavailable")
    f.make_event(sent[0], "complained")
    f.make_event(sent[1], "bounced")
    f.make_event(sent[1], "bounced", event_id="again")  # the same delivery counts once
    source = Source.objects.create(
        name="hf-daily",
        kind="hf-daily",
        url="https://hf.co/api",
        last_success_at=now - dt.timedelta(hours=40),
    )
    IngestRun.objects.create(
        source=source, label="hf-daily", status="failed", error="HTTP 503", fetched=0
    )
    f.trending_paper("Robot learning from play", trending_score=9.0)
    return {"old": old, "new": new}


def test_delivery_health_counts_each_edition(month):
    health = {h.edition.pk: h for h in dashboard.delivery_health(today=timezone.localdate())}
    new = health[month["new"].pk]
    assert (new.built, new.sent, new.skipped, new.failed) == (4, 2, 1, 1)
    assert new.skip_reasons == {"no matching papers": 1}
    assert new.fail_reasons == {"550 mailbox unavailable": 1}
    assert (new.bounced, new.complained) == (1, 1)
    assert new.complaint_rate == 0.5
    assert any("0.3% limit" in w for w in new.warnings)
    old = health[month["old"].pk]
    assert (old.sent, old.opened, old.warnings) == (4, 4, [])


def test_readers_over_time_counts_todays_sign_ups_and_departures(month):
    series = dashboard.readers_over_time(today=timezone.localdate())
    today = {name: values[-1] for name, values in series.series.items()}
    assert today == {"sign-ups": 4, "confirmations": 4, "unsubscribes": 1, "suppressions": 1}
    assert series.totals["sign-ups"] == 6  # two more 3 days ago; the pending one 40 days ago


def test_readers_by_topic_counts_active_readers_and_todays_papers(month):
    rows = dashboard.readers_by_topic(today=timezone.localdate())
    counted = [(r.name, r.active, r.papers_today) for r in rows if r.active]
    assert counted == [("Robot learning", 4, 1)]
    assert rows[0].name == "Robot learning"  # the busiest topic first


def test_a_source_without_success_in_the_limit_is_stale(month, settings):
    settings.HEALTH_MAX_INGEST_AGE_HOURS = 30
    [source] = dashboard.ingestion_health(now=timezone.now())
    assert source.stale
    assert source.last_status == "failed"
    assert source.last_error == "HTTP 503"
    assert source.age_hours == pytest.approx(40, abs=0.1)


def test_the_page_shows_numbers_tables_and_the_threshold_warning(operator_client, month):
    page = operator_client.get(reverse("ops:dashboard")).content.decode()
    assert page.count('<table class="ops-table">') >= 4
    assert "<td>50.00%</td>" not in page  # the 50% complaint rate is marked, not plain
    assert '<td class="ops-bad">50.00%</td>' in page
    assert "Gmail limit" in page  # the 0.3% threshold named in the caption
    assert "complaint rate 50.00% is at or above Gmail&#x27;s 0.3% limit" in page
    assert "no matching papers" in page
    assert "1 source stale" in page
    assert "Robot learning from play" in page


def test_the_admin_index_links_to_the_dashboard(operator_client):
    page = operator_client.get(reverse("admin:index")).content.decode()
    assert reverse("ops:dashboard") in page
    assert reverse("ops:reader") in page


def test_the_dashboard_is_for_staff_only(client, django_user_model):
    assert client.get(reverse("ops:dashboard")).status_code == 302
    user = django_user_model.objects.create_user("reader", password="x")
    client.force_login(user)
    assert client.get(reverse("ops:dashboard")).status_code == 302


def test_the_health_cards_are_the_healthz_report(operator_client, client, month):
    """The month above has a stale source: /healthz fails on ingest, and so does the page."""
    assert client.get("/healthz").json()["failing"] == ["ingest"]
    page = operator_client.get(reverse("ops:dashboard")).content.decode()
    assert "Failing: ingest." in page
    assert "answers 503" in page
    Source.objects.update(last_success_at=timezone.now())
    assert client.get("/healthz").status_code == 200
    page = operator_client.get(reverse("ops:dashboard")).content.decode()
    assert "All checks pass" in page
    assert "Failing" not in page


def test_the_admin_is_titled_paperboy_and_names_deliveries(operator_client):
    page = operator_client.get(reverse("admin:index")).content.decode()
    assert "Paperboy admin" in page
    assert "Django administration" not in page
    assert ">Deliveries<" in page
    assert "Deliverys" not in page
    assert "Feedbacks" not in page
