"""The links in a digest: view in browser, and more/less like this (a GET changes nothing)."""

from __future__ import annotations

import re

import pytest

from digest.delivery.runs import send_edition
from subscriptions.models import Feedback
from tests.delivery.factories import DAY, make_reader, make_topic, robot_papers

pytestmark = pytest.mark.django_db


@pytest.fixture
def html(smtp_server) -> str:
    robot_papers(2)
    make_reader("ada@example.org", topics=(make_topic(),))
    send_edition(frequency="daily", date=DAY)
    return smtp_server.messages[0].get_body(("html",)).get_content()


def link(html: str, prefix: str) -> str:
    return re.search(rf'href="https://paperboy\.example({prefix}[^"]+)"', html).group(1)


def test_view_in_browser_shows_the_same_digest(client, html):
    page = client.get(link(html, "/d/"))

    assert page.status_code == 200
    assert "Diffusion policies for robot manipulation: peg insertion" in page.content.decode()


def test_a_feedback_link_records_nothing_on_get_and_records_on_post(client, html):
    url = link(html, "/f/")

    page = client.get(url)
    assert page.status_code == 200 and b"More like this?" in page.content
    assert not Feedback.objects.exists()

    client.post(url)
    assert Feedback.objects.get().value == Feedback.MORE


def test_a_tampered_or_other_purpose_token_is_refused(client, html):
    view_token = link(html, "/d/").split("/")[2]

    assert client.get(f"/f/{view_token}/").status_code == 400
    assert client.get(link(html, "/d/")[:-3] + "x/").status_code == 400
