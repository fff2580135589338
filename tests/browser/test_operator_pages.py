"""An operator logs into the admin and reads the dashboard and a reader's explanation, in
Debian's Chromium, on a database seeded with thousands of readers and tens of thousands of
deliveries. Screenshots land in test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command

from subscriptions.models import Subscriber
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


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
    screenshot(page, "admin-index")
    page.click("#ops-links >> text=Dashboard")
    page.wait_for_selector("text=Delivery health per edition")
    assert page.locator("table.ops-table").count() >= 4
    assert page.locator("#health-summary").is_visible()
    assert page.locator(".ops-card h3", has_text="Latest edition").is_visible()
    assert page.locator("text=Gmail limit").count() >= 1
    screenshot(page, "dashboard")


def test_an_operator_finds_why_a_reader_got_no_email(page, live_server, seeded):
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/subscriptions/subscriber/")
    page.fill("#searchbar", seeded.email)
    page.press("#searchbar", "Enter")
    page.wait_for_selector(f"text={seeded.email}")
    screenshot(page, "readers-search")
    page.click("text=explain")
    page.wait_for_selector(".ops-verdict")
    verdict = page.locator(".ops-verdict").inner_text()
    assert seeded.email in verdict
    assert "Timeline" in page.content()
    screenshot(page, "why-no-email")


def test_the_deliveries_list_opens_filtered_by_failed(page, live_server, seeded):
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/digest/delivery/?status__exact=failed")
    assert page.locator("#result_list tbody tr").count() > 0
    screenshot(page, "deliveries-failed")
