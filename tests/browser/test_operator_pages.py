"""An operator logs into the admin and reads the dashboard and a reader's explanation, in
Debian's Chromium, on a database seeded with thousands of readers and tens of thousands of
deliveries. Screenshots land in test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from subscriptions.models import Subscriber

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in the test thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page() -> Iterator:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def seeded(django_user_model) -> Subscriber:
    call_command("seed_volume", readers=3000, deliveries=30000, days=14, seed=3)
    django_user_model.objects.create_superuser("ops", "ops@paperboy.example", "correct horse")
    return Subscriber.objects.filter(deliveries__status="failed").order_by("pk").first()


def _log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "correct horse")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_an_operator_reads_the_dashboard_from_the_admin(page, live_server, seeded):
    _log_in(page, live_server)
    page.screenshot(path=SCREENSHOTS / "admin-index.png", full_page=True)
    page.click("#ops-links >> text=Dashboard")
    page.wait_for_selector("text=Delivery health per edition")
    assert page.locator("svg.chart").count() >= 4
    assert page.locator(".ops-card h3", has_text="Latest edition").is_visible()
    assert page.locator("text=Gmail limit").count() >= 1
    page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)


def test_an_operator_finds_why_a_reader_got_no_email(page, live_server, seeded):
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/subscriptions/subscriber/")
    page.fill("#searchbar", seeded.email)
    page.press("#searchbar", "Enter")
    page.wait_for_selector(f"text={seeded.email}")
    page.screenshot(path=SCREENSHOTS / "readers-search.png", full_page=True)
    page.click("text=explain")
    page.wait_for_selector(".ops-verdict")
    verdict = page.locator(".ops-verdict").inner_text()
    assert seeded.email in verdict
    assert "Timeline" in page.content()
    page.screenshot(path=SCREENSHOTS / "why-no-email.png", full_page=True)


def test_the_deliveries_list_opens_filtered_by_failed(page, live_server, seeded):
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/digest/delivery/?status__exact=failed")
    assert page.locator("#result_list tbody tr").count() > 0
    page.screenshot(path=SCREENSHOTS / "deliveries-failed.png")
