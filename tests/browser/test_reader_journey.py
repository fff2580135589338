"""A reader's whole journey in a real browser: sign up, confirm from the mail, change topics,
pause, and leave through the one-click unsubscribe, which a GET must never trigger."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from subscriptions.models import Subscriber
from subscriptions.tokens import subscriber_token
from tests.browser.conftest import screenshot
from tests.subscriptions.helpers import link_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

Status = Subscriber.Status


def watch_for_errors(page) -> list[str]:
    """Console errors include CSP violations (inline script or style would show up here)."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_a_reader_signs_up_confirms_changes_topics_pauses_and_unsubscribes(
    browser, site, smtp_server
):
    context = browser.new_context(timezone_id="Asia/Tokyo", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = watch_for_errors(page)

    # Sign up. The browser's time zone is filled in by static/js/signup.js.
    page.goto(f"{site.url}/signup/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Time zone").input_value() == "Asia/Tokyo"
    assert page.locator("[data-weekday-field]").is_hidden()  # daily is the default
    screenshot(page, "01-signup")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Reinforcement learning").check()
    page.get_by_label("Robot learning").check()
    page.get_by_label("Your interests, in your own words").fill(
        "offline RL for manipulation, see https://spam.example.com"
    )
    page.get_by_text("Words to exclude, schedule and length").click()  # folded on the form
    page.get_by_role("radio", name="Weekly").check()
    assert page.locator("[data-weekday-field]").is_visible()
    page.get_by_label("Weekly digests arrive on").select_option(label="Friday")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    screenshot(page, "02-check-your-inbox")

    reader = Subscriber.objects.get(email="ada@example.org")
    assert (reader.status, reader.timezone, reader.frequency, reader.weekday) == (
        Status.PENDING,
        "Asia/Tokyo",
        "weekly",
        4,
    )

    # The confirmation mail: short, no typed text, a link to a page with a button.
    (message,) = smtp_server.to("ada@example.org")
    assert "spam.example.com" not in message.as_string()
    confirm_url = link_in(message, "/confirm/")
    assert confirm_url.startswith(site.url)
    page.goto(confirm_url)
    screenshot(page, "03-confirm")
    reader.refresh_from_db()
    assert reader.status == Status.PENDING  # opening the link confirms nothing
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("heading", name="You're subscribed").wait_for()
    assert "every Friday" in page.content()
    screenshot(page, "04-welcome")
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE

    # The preferences centre: change topics.
    page.get_by_role("link", name="Open my preferences").click()
    page.get_by_role("heading", name="Your preferences").wait_for()
    assert page.get_by_label("Time zone").input_value() == "Asia/Tokyo"  # not re-detected
    assert f"/feed/{reader.feed_key}.xml" in page.locator("#feed-url").input_value()
    screenshot(page, "05-preferences")
    page.get_by_label("Robot learning").uncheck()
    page.get_by_label("LLM reasoning").check()
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Saved. Your next digest uses these settings.").wait_for()
    assert sorted(reader.topics.values_list("slug", flat=True)) == [
        "llm-reasoning",
        "reinforcement-learning",
    ]

    # Pause for two weeks.
    until = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Pause until").fill(until.isoformat())
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_text("Paused. Digests start again on").wait_for()
    screenshot(page, "06-paused")
    reader.refresh_from_db()
    assert (reader.status, reader.paused_until) == (Status.PAUSED, until)

    # The unsubscribe link from the mail: a GET (as a link scanner would) changes nothing.
    unsubscribe_url = f"{site.url}/u/{subscriber_token('unsubscribe', reader)}/"
    page.goto(unsubscribe_url)
    page.get_by_role("heading", name="Unsubscribe?").wait_for()
    screenshot(page, "07-unsubscribe-get")
    reader.refresh_from_db()
    assert reader.status == Status.PAUSED

    # The mailbox provider's RFC 8058 POST: no cookies, no CSRF token.
    provider = browser.new_context().request  # a fresh context: no cookies at all
    response = provider.post(
        unsubscribe_url,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED

    page.goto(unsubscribe_url)
    page.get_by_role("heading", name="You're already unsubscribed").wait_for()
    assert errors == []
    context.close()


def test_unsubscribing_in_the_browser_offers_pause_instead(browser, site):
    reader = Subscriber.objects.create(
        email="bob@example.org", status=Status.ACTIVE, confirmed_at=timezone.now()
    )
    page = browser.new_page(viewport={"width": 375, "height": 812})
    errors = watch_for_errors(page)

    page.goto(f"{site.url}/u/{subscriber_token('unsubscribe', reader)}/")
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You're unsubscribed").wait_for()
    screenshot(page, "08-unsubscribed-mobile")
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED

    page.get_by_role("button", name="Pause instead").click()
    page.get_by_role("heading", name="Your preferences").wait_for()
    reader.refresh_from_db()
    assert reader.status == Status.PAUSED
    assert re.search(r"paused until \d+ \w+ \d{4}", page.content())
    screenshot(page, "09-preferences-mobile")
    assert errors == []


def test_the_sign_up_page_reads_well_on_a_phone_and_is_keyboard_usable(browser, site):
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(f"{site.url}/signup/")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # no sideways scrolling
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(5):  # the brand, Today, Archive, Manage subscription, then the address
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "email"
    screenshot(page, "10-signup-mobile")
