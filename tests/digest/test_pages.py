"""The pages that show papers: home, live preview, archive, a reader's feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from digest.models import Delivery, Edition, Paper
from digest.web import pages
from subscriptions.models import Subscriber, Topic
from tests.factories import PaperFactory

DAY = dt.date(2026, 3, 6)


def on_the_day(arxiv_id: str, title: str) -> dict:
    """What ingest stores for a paper trending on DAY: its own title and arXiv link."""
    url = f"https://arxiv.org/abs/{arxiv_id}"
    return {
        "arxiv_id": arxiv_id,
        "title": title,
        "title_display": title,
        "url": url,
        "trending_date": DAY,
    }


@pytest.fixture
def papers(db) -> list[Paper]:
    return [
        PaperFactory(
            **on_the_day("2406.04806", "Streaming Diffusion Policy: Fast Policy Synthesis"),
            abstract="Diffusion policies for robot manipulation and imitation learning, sped up.",
            upvotes=40,
            trending_score=5.0,
        ),
        PaperFactory(
            **on_the_day("2401.01234", "Direct Preference Optimization Revisited"),
            abstract="Preference optimization for large language models without a reward model.",
            upvotes=12,
            trending_score=3.0,
        ),
        PaperFactory(
            **on_the_day("2402.00001", "A Survey of Protein Folding <script>alert(1)</script>"),
            abstract="Protein structure prediction with deep learning.",
            trending_score=1.0,
        ),
    ]


def test_the_home_page_shows_todays_trending_papers_and_the_form(client, papers) -> None:
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Streaming Diffusion Policy" in body
    assert "▲ 40" in body
    assert 'name="email"' in body
    assert "<script>alert(1)</script>" not in body  # feed text is escaped


def test_the_preview_shows_what_own_words_would_bring_and_why(client, papers) -> None:
    response = client.get(reverse("digest:preview"), {"interests": "preference optimization"})
    body = response.content.decode()
    assert "Direct Preference Optimization Revisited" in body
    assert "Streaming Diffusion Policy" not in body
    assert "preference optimization" in body.lower()


def test_the_preview_works_without_javascript(client, papers) -> None:
    choices = {"preview": "1", "interests": "diffusion policies for robots"}
    response = client.post("/", {**choices, "email": "ada@example.org"})
    body = response.content.decode()
    preview = body.split('id="preview"')[1].split("</section>")[0]
    assert "Streaming Diffusion Policy" in preview
    assert 'value="ada@example.org"' in body  # the form comes back as the visitor left it
    assert not Subscriber.objects.exists()  # a preview signs nobody up


def test_the_no_javascript_preview_button_posts_so_the_address_stays_out_of_urls(
    client, db
) -> None:
    page = client.get("/").content.decode()
    before, after = page.split('name="preview"', 1)
    button = before.rsplit("<button", 1)[1] + after.split(">", 1)[0]
    form = before.rsplit("<form", 1)[1].split(">", 1)[0]
    assert 'method="post"' in form and "formmethod" not in button  # it submits the POST form


def test_the_preview_says_so_when_nothing_matches(client, papers) -> None:
    response = client.get(reverse("digest:preview"), {"interests": "medieval poetry metre"})
    assert "0</span> papers from the last 7 days match" in response.content.decode()


def test_previews_past_the_hourly_cap_of_a_network_are_refused_without_running_the_matcher(
    client, papers, settings, monkeypatch
) -> None:
    settings.PREVIEW_RATE_PER_IP_PER_HOUR = 2
    ran = []
    real = pages.preview_matches
    monkeypatch.setattr(pages, "preview_matches", lambda **kw: ran.append(1) or real(**kw))
    choices = {"interests": "preference optimization"}
    assert client.get(reverse("digest:preview"), choices).status_code == 200
    assert client.get(reverse("digest:preview"), choices).status_code == 200
    refused = client.get(reverse("digest:preview"), choices)
    assert (refused.status_code, refused["Retry-After"]) == (429, "3600")
    assert "Previews are paused for your network" in refused.content.decode()
    no_js = client.post("/", {"preview": "1", **choices, "email": "ada@example.org"})
    assert no_js.status_code == 429 and "Previews are paused" in no_js.content.decode()
    assert len(ran) == 2
    # the sign-up limit is counted apart: signing up still works
    signed_up = client.post(
        "/",
        {
            **choices,
            "email": "ada@example.org",
            "frequency": "daily",
            "weekday": "0",
            "send_hour": "7",
            "timezone": "UTC",
            "max_papers": "10",
        },
    )
    assert signed_up.status_code == 302


def test_the_archive_groups_a_days_papers_by_topic(client, papers) -> None:
    Topic.objects.create(
        slug="robots-test",
        name="Robots (test)",
        keywords=["robot manipulation", "diffusion policy"],
    )
    response = client.get(reverse("digest:archive_day", args=["2026-03-06"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Robots (test)" in body
    assert "2026-03-06" in client.get(reverse("digest:archive")).content.decode()


@pytest.mark.parametrize("day", ["2026-02-30", "yesterday", "2020-01-01"])
def test_the_archive_answers_404_for_days_it_does_not_have(client, papers, day: str) -> None:
    assert client.get(reverse("digest:archive_day", args=[day])).status_code == 404


def test_a_readers_feed_lists_the_papers_they_were_sent(client, papers) -> None:
    reader = Subscriber.objects.create(email="feed@example.org", status="active")
    edition = Edition.objects.create(frequency="daily", date=DAY)
    Delivery.objects.create(
        subscriber=reader,
        edition=edition,
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        papers=[{"id": "2406.04806", "score": 1.0, "why": "matches your topic Robot learning"}],
    )
    response = client.get(reverse("digest:feed", args=[reader.feed_key]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Streaming Diffusion Policy" in body
    assert "matches your topic Robot learning" in body
    assert "Direct Preference Optimization" not in body


def test_an_unknown_feed_key_is_404(client, db) -> None:
    assert client.get(reverse("digest:feed", args=["not-a-key"])).status_code == 404


def test_the_feeds_self_link_follows_site_url_not_the_host_header(client, db, settings) -> None:
    settings.SITE_URL = "https://paperboy.example"
    settings.ALLOWED_HOSTS = ["*"]
    reader = Subscriber.objects.create(email="feed@example.org", status="active")

    response = client.get(reverse("digest:feed", args=[reader.feed_key]), HTTP_HOST="evil.example")

    body = response.content.decode()
    assert f'href="https://paperboy.example/feed/{reader.feed_key}.xml" rel="self"' in body
    assert "evil.example" not in body


def test_the_demo_says_it_is_a_demo_until_a_real_source_is_enabled(client, db) -> None:
    from digest.ingest.demo import DEMO_SOURCE
    from digest.models import Source

    assert "This is a demo" not in client.get("/").content.decode()  # a fresh install
    Source.objects.create(
        name=DEMO_SOURCE, kind=Source.Kind.HF_DAILY, url="https://e.org/", enabled=False
    )
    assert "This is a demo" in client.get("/").content.decode()
    Source.objects.create(name="arXiv cs.RO", kind=Source.Kind.ARXIV_LISTING, url="https://e.org/a")
    assert "This is a demo" not in client.get("/").content.decode()
