"""The home page in a real browser: today's trending papers, and a live preview of the digest
the visitor is choosing, updated as they type (and a no-JavaScript preview button)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, serve_thumbnails
from tests.browser.test_reader_journey import watch_for_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_papers(db) -> None:
    call_command("load_demo", stdout=None)


def test_the_preview_follows_what_the_visitor_types(browser, site, demo_papers):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    serve_thumbnails(page)
    errors = watch_for_errors(page)
    page.goto(site.url + "/")
    assert page.locator("#trending-heading + ol .paper").count() == 10
    preview = page.locator("#preview")
    assert "Pick topics or describe your interests" in preview.inner_text()

    page.get_by_label("Your interests, in your own words").fill("diffusion policies for robots")
    expect(preview.locator(".paper").first).to_be_visible(timeout=10_000)
    first = preview.locator(".paper").first
    assert "iffusion" in first.locator(".paper-title").inner_text()
    assert first.locator(".paper-why").inner_text()  # every previewed paper says why
    screenshot(page, "home-preview-desktop")

    page.get_by_text("Words to exclude, schedule and length").click()  # folded on the form
    page.get_by_label("Words to exclude").fill("diffusion")
    # Titles, not reasons: a reason may quote the interest ("close in meaning to …").
    expect(preview.locator(".paper-title", has_text="iffusion")).to_have_count(0, timeout=10_000)
    assert errors == []


def test_the_preview_works_without_javascript(browser, site, demo_papers):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    serve_thumbnails(context)
    page = context.new_page()
    page.goto(site.url + "/")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Your interests, in your own words").fill("offline reinforcement learning")
    page.get_by_role("button", name="Preview my digest").click()
    assert page.locator("#preview .paper").count() > 0
    assert page.url == site.url + "/#preview"  # posted: the address is in no URL or log
    assert page.get_by_label("Email").input_value() == "ada@example.org"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # no sideways scrolling on a phone
    screenshot(page, "home-preview-no-js-375")


def test_a_network_past_the_preview_cap_is_told_previews_are_paused(
    browser, site, demo_papers, settings
):
    settings.PREVIEW_RATE_PER_IP_PER_HOUR = 0
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(site.url + "/")
    page.get_by_label("Your interests, in your own words").fill("diffusion policies for robots")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Previews are paused for your network", timeout=10_000)
    assert preview.locator(".paper").count() == 0
    screenshot(page, "home-preview-paused-phone")
