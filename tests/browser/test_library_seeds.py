"""Seeds in a real browser: a BibTeX file chosen on the home page changes the live preview,
and the preferences centre imports a file and shows the seeds (issue #15)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from subscriptions.models import Feedback, Subscriber
from subscriptions.tokens import subscriber_token
from tests.browser.conftest import screenshot, serve_thumbnails
from tests.browser.test_reader_journey import watch_for_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One of the demo papers (Streaming Diffusion Policy), as a Zotero export names it.
BIB = b"""@misc{hoeg_streaming_2024,
	title = {Streaming {Diffusion} {Policy}: {Fast} {Policy} {Synthesis}},
	url = {http://arxiv.org/abs/2406.04806},
	eprint = {2406.04806},
	archivePrefix = {arXiv},
}
"""


@pytest.fixture
def demo_papers(db) -> None:
    call_command("load_demo", stdout=None)  # embeds them: seeds match by meaning


def test_choosing_a_library_file_updates_the_live_preview(browser, site, demo_papers, tmp_path):
    library = tmp_path / "My Library.bib"
    library.write_bytes(BIB)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    serve_thumbnails(page)
    errors = watch_for_errors(page)
    page.goto(site.url + "/")
    preview = page.locator("#preview")
    page.get_by_label("Your interests, in your own words").fill("volcanic basalt mineralogy")
    expect(preview).to_contain_text("0 papers from the last 7 days match", timeout=10_000)

    page.locator("details.more-choices summary").click()  # the seeds fold with the other options
    page.get_by_label("Or upload a BibTeX or RIS file").set_input_files(str(library))

    why = preview.locator(".paper-why", has_text="from your library").first
    expect(why).to_be_visible(timeout=15_000)
    assert "like 'Streaming Diffusion Policy" in why.inner_text()
    titles = preview.locator(".paper-title").all_inner_texts()
    assert not any(t.startswith("Streaming Diffusion Policy") for t in titles)  # the seed itself
    screenshot(page, "home-preview-library-1280")
    assert errors == []


def test_pasting_ids_updates_the_preview_on_a_phone(browser, site, demo_papers):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    serve_thumbnails(page)
    page.goto(site.url + "/")
    page.get_by_label("Your interests, in your own words").fill("volcanic basalt mineralogy")
    page.locator("details.more-choices summary").click()
    page.get_by_label("arXiv ids, links or DOIs").fill("https://arxiv.org/pdf/2406.04806v1")
    expect(page.locator("#preview .paper-why", has_text="from your library").first).to_be_visible(
        timeout=15_000
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "home-preview-library-375")


def test_the_preferences_centre_imports_a_file_and_lists_the_seed(
    browser, site, demo_papers, tmp_path, settings, eager_tasks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    reader = Subscriber.objects.create(email="ada@example.org", status="active", interests="robots")
    library = tmp_path / "export.bib"
    library.write_bytes(BIB)
    manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])
    for width in (1280, 375):
        page = browser.new_page(viewport={"width": width, "height": 900})
        serve_thumbnails(page)
        page.goto(site.url + manage)
        if width == 1280:
            page.get_by_label("Or upload a BibTeX or RIS file").set_input_files(str(library))
            page.get_by_role("button", name="Add papers").click()
            expect(page.locator(".notice")).to_contain_text("Added 1 paper")
        feedback = page.locator(".feedback-list li", has_text="from your library")
        expect(feedback).to_contain_text("Streaming Diffusion Policy")
        page.locator("#library").scroll_into_view_if_needed()
        screenshot(page, f"manage-library-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert Feedback.objects.get(subscriber=reader).origin == "library"
