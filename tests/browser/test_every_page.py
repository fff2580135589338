"""Every reader and operator page in Debian's Chromium, at 375 and 1280 px, light and dark.

Each page × mode saves a full-page screenshot to test-artifacts/screenshots/<page>-<mode>.png
and fails on a console error (CSP violations included), a sub-resource answering 4xx/5xx (the
favicon included), sideways scrolling at 375 px, a serious or critical axe-core violation, or a
main document answering another status than the page should.

Fast by design: one browser and one live server for the module, one context per mode and role,
the data made once and committed (every_page_data), removed at the end of the module."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client, override_settings
from pytest_django.live_server_helper import LiveServer

from tests.browser import every_page_data
from tests.browser.checks import (
    PageWatch,
    axe_problems,
    favicon_problems,
    overflow_problems,
    report,
)
from tests.browser.conftest import LAUNCH_ARGS, SCREENSHOTS, serve_thumbnails
from tests.conftest import CHROMIUM

# A plain django_db mark (no per-test flush) so the test database exists; each test's own
# transaction is unused: the data is committed once by the `server` fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

MODES = {"375": (375, "light"), "375-dark": (375, "dark"), "1280": (1280, "light")}
MODES["1280-dark"] = (1280, "dark")
OK = (200,)
BAD_LINK = (400, 404, 410)
MAX_SHOT = 16_384  # px


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable  # (SiteData, mode) -> path
    statuses: tuple[int, ...] = OK
    operator: bool = False
    then: Callable | None = None  # a step taken on the page before checking it (a button)
    debug: bool = False  # pages that exist only while DEBUG is on


def _press(name: str) -> Callable:
    def press(page) -> None:
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile(name, re.I)).first.click()

    return press


def _submit_bad_address(page) -> None:
    """The home form with an address the server refuses (the browser's own check is off)."""
    form = page.locator("form:has(input[name=email])").first
    form.locator("input[name=email]").fill("ada@example")
    form.evaluate("f => f.noValidate = true")
    with page.expect_navigation():
        form.evaluate("f => f.requestSubmit()")


def _open_first_message(page) -> None:
    with page.expect_navigation():
        page.locator("a[href^='/_mail/']").first.click()


def _path(text: str) -> Callable:
    return lambda data, mode: text


PAGES = [
    Page("home", _path("/")),
    Page("home-error", _path("/"), statuses=(200, 400), then=_submit_bad_address),
    Page("signup", _path("/signup/")),
    Page("check-your-inbox", _path("/signup/check-your-inbox/")),
    Page("send-link", _path("/link/")),
    Page("confirm", lambda d, m: f"/confirm/{d.confirm}/"),
    Page("welcome", lambda d, m: f"/confirm/{d.confirm_by_mode[m]}/", then=_press("confirm")),
    Page("confirm-used", lambda d, m: f"/confirm/{d.confirm_used}/", statuses=(200, *BAD_LINK)),
    Page("confirm-expired", lambda d, m: f"/confirm/{d.confirm_expired}/", statuses=BAD_LINK),
    Page("preferences", lambda d, m: f"/manage/{d.manage}/"),
    Page("preferences-bad-link", _path("/manage/not-a-real-token/"), statuses=BAD_LINK),
    Page("feedback", lambda d, m: f"/f/{d.feedback}/"),
    Page("feedback-bad-link", _path("/f/not-a-real-token/"), statuses=BAD_LINK),
    Page("view-in-browser", lambda d, m: f"/d/{d.view}/"),
    Page("view-bad-link", _path("/d/not-a-real-token/"), statuses=BAD_LINK),
    Page("archive", _path("/papers/")),
    Page("archive-day", lambda d, m: f"/papers/{d.archive_day}/"),
    Page("archive-empty-day", _path("/papers/2020-01-06/"), statuses=(200, 404)),
    Page("unsubscribe", lambda d, m: f"/u/{d.unsubscribe}/"),
    Page(
        "unsubscribed", lambda d, m: f"/u/{d.unsubscribe_by_mode[m]}/", then=_press("^unsubscribe$")
    ),
    Page("already-unsubscribed", lambda d, m: f"/u/{d.unsubscribed}/"),
    Page("unsubscribe-bad-link", _path("/u/not-a-real-token/"), statuses=BAD_LINK),
    Page("privacy", _path("/privacy/")),
    Page("not-found", _path("/no-such-page/"), statuses=(404,)),
    Page("outbox", _path("/_mail/"), debug=True),
    Page("outbox-message", _path("/_mail/"), debug=True, then=_open_first_message),
    Page("dashboard", _path("/ops/"), operator=True),
    Page("ops-explain", lambda d, m: f"/ops/reader/?email={every_page_data.READER}", operator=True),
    Page("ops-preview", lambda d, m: f"/ops/reader/{d.reader_pk}/preview/", operator=True),
    Page("ops-test-digest", lambda d, m: f"/ops/reader/{d.reader_pk}/test-digest/", operator=True),
    Page("healthz", _path("/healthz"), operator=True),
    Page("admin-login", _path("/admin/login/")),
    Page("admin-index", _path("/admin/"), operator=True),
    Page("admin-readers", _path("/admin/subscriptions/subscriber/"), operator=True),
    Page("admin-deliveries", _path("/admin/digest/delivery/"), operator=True),
]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator:
    """A live server and the data, for the whole module; the tables are emptied afterwards.

    The database stays unblocked for the module: the server thread reads it between tests."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        live = LiveServer("127.0.0.1:0")
        overrides = override_settings(
            SITE_URL=live.url,
            CSRF_TRUSTED_ORIGINS=[live.url],
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "127.0.0.1"],
            EMAIL_BACKEND="config.devmail.EmlFileBackend",
            EMAIL_FILE_PATH=str(tmp_path_factory.mktemp("mail")),
            # Lexical matching: embedding the demo and background papers takes minutes on CI
            # and changes no page's layout (matching quality has its own tests).
            SEMANTIC_MATCHING=False,
        )
        overrides.enable()
        try:
            live.data = every_page_data.seed(list(MODES))
            client = Client()
            client.force_login(live.data.operator)
            live.operator_session = client.cookies[settings.SESSION_COOKIE_NAME].value
            # Playwright's sync API runs an event loop in this thread from here on.
            patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
            yield live
        finally:
            every_page_data.remove()
            overrides.disable()
            live.stop()


@pytest.fixture(scope="module")
def contexts(server) -> Iterator[Callable]:
    """One browser; one context per (mode, operator?) made on first use and reused."""
    from playwright.sync_api import sync_playwright

    made: dict = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)

        def context_for(mode: str, operator: bool):
            if (mode, operator) not in made:
                width, scheme = MODES[mode]
                context = browser.new_context(
                    viewport={"width": width, "height": 800},
                    color_scheme=scheme,
                    base_url=server.url,
                )
                serve_thumbnails(context)
                if operator:
                    cookie = {"name": settings.SESSION_COOKIE_NAME, "url": server.url}
                    context.add_cookies([{**cookie, "value": server.operator_session}])
                context.set_default_timeout(10_000)
                made[mode, operator] = context
            return made[mode, operator]

        yield context_for
        browser.close()


@pytest.fixture(scope="module")
def favicons() -> dict[str, int]:
    return {}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
def test_the_page_is_clean(spec: Page, mode: str, server, contexts, favicons, settings):
    settings.DEBUG = spec.debug
    page = contexts(mode, spec.operator).new_page()
    try:
        watch = PageWatch(page)
        page.goto(spec.path(server.data, mode))
        if spec.then:
            spec.then(page)
        page.wait_for_load_state("load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{spec.name}-{mode}.png"
        height = page.evaluate("document.documentElement.scrollHeight")
        # Full page, up to Chromium's largest texture: beyond it a capture is stitched together
        # and takes minutes (the archive day is 380,000 px tall today).
        clip = {"x": 0, "y": 0, "width": MODES[mode][0], "height": min(height, MAX_SHOT)}
        page.screenshot(path=str(shot), full_page=True, clip=clip, timeout=60_000)

        problems = []
        status = watch.document_status()
        if status not in spec.statuses:
            expected = " or ".join(map(str, spec.statuses))
            problems.append(f"document: answered {status}, expected {expected}")
        problems += watch.problems()
        if watch.is_html():
            checked = watch.scriptable()
            problems += favicon_problems(checked, base=page.url, seen=favicons)
            if MODES[mode][0] <= 375:
                problems += overflow_problems(checked)
            problems += axe_problems(checked)
    finally:
        for opened in page.context.pages:  # the page, and a copy scriptable() made
            opened.close()
    if problems:
        pytest.fail(report(spec.name, mode, problems), pytrace=False)
