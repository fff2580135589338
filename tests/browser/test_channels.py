"""Channels in a real browser: a reader adds a Slack webhook on the preferences page, sees it
masked beside a disabled one with its note, at phone and desktop widths, and removes it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from subscriptions.models import Channel, Subscriber
from subscriptions.tokens import subscriber_token
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.test_reader_journey import watch_for_errors
from tests.channels.conftest import webhooks  # noqa: F401 (the stand-in Slack server)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "secret-token-abcdefghijklmnop"


@pytest.fixture
def reader(site) -> Subscriber:
    reader = Subscriber.objects.create(email="ada@example.org", status=Subscriber.Status.ACTIVE)
    f.disabled_channel(reader)
    return reader


@pytest.mark.parametrize("width", [375, 1280])
def test_a_reader_adds_and_removes_a_channel(browser, site, reader, webhooks, width):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = watch_for_errors(page)
    manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])
    page.goto(site.url + manage + "#channels")
    section = page.locator("#channels")

    section.get_by_label("Where").select_option("slack")
    section.get_by_label("Name (for you)").fill("#reading-group")
    section.get_by_label("Webhook URL").fill("http://10.0.0.1/services/T/B/x")
    section.get_by_role("button", name="Add channel").click()
    expect(page.locator("#channel-url-error")).to_contain_text("must start with https://")
    expect(page.locator("#prefs-errors")).to_contain_text("Webhook URL: The webhook URL must")
    page.locator("#channel-url").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"manage-channels-error-{width}.png"))

    url = f"{webhooks.url}/services/T1/B1/{SECRET}"
    page.locator("#channels").get_by_label("Webhook URL").fill(url)
    page.locator("#channels").get_by_role("button", name="Add channel").click()
    expect(page.locator(".notice")).to_contain_text("Added Slack")
    listed = page.locator(".channel-list li")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text("Disabled: Discord answered 404")
    expect(listed.nth(1)).to_contain_text("#reading-group")
    assert SECRET not in page.content()
    width_of = page.evaluate("document.documentElement.scrollWidth")
    assert width_of <= width, f"the page scrolls sideways at {width} px"
    page.locator("#channels").scroll_into_view_if_needed()
    screenshot(page, f"manage-channels-{width}")
    # The section as a reader lands on it from the "Channels" link (below the sticky nav).
    page.set_viewport_size({"width": width, "height": 1300})
    page.locator("#channels").evaluate("section => section.scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / f"manage-channels-section-{width}.png"))

    listed.nth(1).get_by_role("button", name="Remove").click()
    expect(page.locator(".notice")).to_contain_text("Removed")
    expect(page.locator(".channel-list li")).to_have_count(1)
    assert Channel.objects.filter(subscriber=reader).count() == 1
    # The refused URL's page is a 400 (the form comes back with its error): Chromium logs it.
    assert [e for e in errors if "status of 400" not in e] == []
