"""/healthz: 200 when the database, broker, ingest and edition are fine; 503 naming what is not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digest.models import Source
from tests import factories as f
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


def _fresh_source(hours_ago: float) -> Source:
    return f.make_source(
        "hf-daily",
        "hf-daily",
        url="https://huggingface.co/api/daily_papers",
        last_success_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def test_healthy_answers_200_with_every_check(client):
    _fresh_source(hours_ago=2)
    reader = f.settled_reader()
    f.make_delivery(reader, f.make_edition())
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "ingest", "edition"}
    assert "1 sent" in body["checks"]["edition"]["detail"]


def test_an_unreachable_broker_answers_503_naming_it(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_a_stale_ingest_answers_503(client, settings):
    settings.HEALTH_MAX_INGEST_AGE_HOURS = 30
    _fresh_source(hours_ago=31)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["ingest"]


def test_paused_sources_do_not_count_against_ingest(client):
    source = _fresh_source(hours_ago=300)
    source.enabled = False
    source.save()
    assert client.get("/healthz").status_code == 200


def test_an_edition_where_every_send_failed_answers_503(client):
    f.make_delivery(
        f.settled_reader(), f.make_edition(), status="failed", reason="SMTP auth failed"
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["edition"]


def test_active_readers_with_no_recent_edition_answer_503(client):
    f.make_delivery(f.settled_reader(), f.make_edition(timezone.localdate() - dt.timedelta(days=5)))
    response = client.get("/healthz")
    assert response.json()["failing"] == ["edition"]


@pytest.mark.redis
def test_the_real_redis_broker_is_reachable(client):
    assert client.get("/healthz").json()["checks"]["broker"] == {"ok": True, "detail": "redis"}


def test_a_fresh_install_with_readers_but_no_edition_yet_is_healthy(client):
    f.settled_reader(confirmed_at=timezone.now() - dt.timedelta(hours=5))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no daily edition yet" in response.json()["checks"]["edition"]["detail"]


def test_readers_waiting_days_for_a_first_edition_answer_503(client):
    f.settled_reader(confirmed_at=timezone.now() - dt.timedelta(days=4))
    response = client.get("/healthz")
    assert response.json()["failing"] == ["edition"]


def test_a_weekly_edition_six_days_old_is_healthy_for_weekly_readers(client):
    reader = f.settled_reader(frequency="weekly")
    f.make_delivery(
        reader, f.make_edition(timezone.localdate() - dt.timedelta(days=6), frequency="weekly")
    )
    assert client.get("/healthz").status_code == 200
    f.settled_reader(frequency="daily", confirmed_at=timezone.now() - dt.timedelta(days=4))
    assert client.get("/healthz").json()["failing"] == ["edition"]
