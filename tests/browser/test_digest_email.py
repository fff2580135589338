"""The digest email as a mailbox receives it, rendered in a real browser at phone and desktop
widths and in dark mode; and its two web pages (view in browser, more / less like this) under
the site's CSP. Screenshots go to test-artifacts/screenshots/digest-*.png."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from django.core.management import call_command

from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.delivery.factories import DAY, ROBOT_SKILLS, make_paper, make_reader, make_topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(width: int = 40, height: int = 21) -> bytes:
    """A plain PNG in a thumbnail's proportions (Daily Papers' are about 1.9:1), served for every
    thumbnail: tests never touch the internet."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x28\x3c\x6e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()
LIGHT_CARD, DARK_CARD = "rgb(255, 255, 255)", "rgb(26, 31, 38)"


def long_papers(count: int = 25) -> None:
    """As long as the cards get: 300-character titles, long summaries, six long author names,
    every link, a thumbnail."""
    for i, skill in enumerate(ROBOT_SKILLS[:count]):
        title = f"Robot manipulation of {skill}: " + f"{skill} " * 60
        make_paper(
            title[:300],
            abstract="We train a robot to grasp objects with diffusion policies. " * 10,
            ai_summary=f"A robot learns {skill} from few demonstrations; " * 12,
            authors=[f"Firstname Verylongsurname-Doubled {j}" for j in range(6)],
            github_repo="https://github.com/example/robots",
            upvotes=100 + i,
            github_stars=12_000 + i,
            why_trending=f"+{30 + i} upvotes today, 12k stars, 40 comments, seen in 3 sources",
            thumbnail=f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{i}.png",
        )


def received_digest(smtp_server, papers: int = 25):
    robot = make_topic()
    rlhf = make_topic("rlhf", "RLHF", ("human feedback",), position=1)
    long_papers(papers)
    make_reader(
        "ada@example.org",
        topics=(robot, rlhf),
        interests="robot manipulation from demonstrations",
        max_papers=25,
    )
    call_command("send_digests", "--date", DAY.isoformat(), stdout=None)
    [message] = smtp_server.to("ada@example.org")
    return message


def offline(page, allowed: str = "") -> list[str]:
    """Serve a PNG for every request that is not to `allowed`; return the URLs asked for."""
    asked: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        if allowed and url.startswith(allowed):
            route.continue_()
        else:
            asked.append(url)
            route.fulfill(status=200, content_type="image/png", body=PNG)

    page.route("**/*", handle)
    return asked


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def small_links(page) -> list[str]:
    """Every link whose box is under 44 x 44 px (a tap target too small for a thumb)."""
    return page.eval_on_selector_all(
        "a",
        """links => links.map(a => [a.textContent.trim().slice(0, 40), a.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([t, r]) => `${t}: ${Math.round(r.width)}x${Math.round(r.height)}`)""",
    )


def test_the_digest_email_is_a_table_layout_with_a_preheader_and_thumb_sized_links(
    browser, smtp_server
):
    message = received_digest(smtp_server)
    html = message.get_body(("html",)).get_content()

    assert len(html.encode()) < 102 * 1024  # Gmail clips the message past this
    # Outlook desktop ignores max-width: a fixed 600 px table only it reads holds the column.
    assert '<!--[if mso]><table role="presentation" width="600"' in html
    assert 'name="color-scheme" content="light dark"' in html
    assert "@media (prefers-color-scheme: dark)" in html

    for width, scheme in ((375, "light"), (1200, "light"), (375, "dark")):
        page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        asked = offline(page)
        page.set_content(html, wait_until="load")
        screenshot(page, f"digest-email-{width}-{scheme}")
        page.screenshot(path=str(SCREENSHOTS / f"digest-email-{width}-{scheme}-first-screen.png"))

        cards = page.locator("td.card")
        assert cards.count() == 25
        # Every card is a table cell inside the 600 px column, numbered in order.
        assert page.locator("table.box > tbody > tr > td.card").count() == 25
        numbers = page.locator("td.card .num").all_inner_texts()
        assert numbers == [str(n) for n in range(1, 26)]
        # The first three lead: a larger title and the thumbnail (the rest are compact).
        sizes = page.eval_on_selector_all(
            "td.card a.t", "ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize))"
        )
        assert min(sizes[:3]) > max(sizes[3:])
        assert page.locator("td.card img.thumb").count() == 3
        assert len([u for u in asked if "social-thumbnails" in u]) == 3

        # The preheader is the first thing in the body, hidden, and says what else is inside.
        preheader = page.locator("body > :first-child")
        assert preheader.get_attribute("class") == "preheader"
        assert preheader.is_hidden()
        assert preheader.text_content().startswith("Also today: Robot manipulation of ")

        assert small_links(page) == []
        overflow = page.evaluate("document.scrollingElement.scrollWidth")
        assert overflow <= width, f"{overflow} px wide at {width} px"
        card = cards.first.evaluate("c => getComputedStyle(c).backgroundColor")
        assert card == (DARK_CARD if scheme == "dark" else LIGHT_CARD)
        page.close()

    # What the reader sees first: edition, intro line, the hook in the subject.
    assert "Daily digest" in html and "Your papers today" in html
    assert "25 papers trending in Robot learning and RLHF today, best match first" in html
    assert message["Subject"].startswith("Robot manipulation of ")
    assert message["Subject"].endswith("+ 24 more in Robot learning, RLHF")
    # Counts said once: the stored "12k stars" and the gain are not repeated beside them.
    assert re.search(
        r"▲ 1\d\d upvotes · \+\d\d today · 40 comments · seen in 3 sources · ★ 12k stars<", html
    )


def test_view_in_browser_and_the_feedback_page_are_styled_under_the_sites_csp(
    browser, site, smtp_server
):
    message = received_digest(smtp_server, papers=5)
    text = message.get_body(("plain",)).get_content()
    view_url = re.search(r"https?://\S+/d/\S+", text).group(0)
    more_url = re.search(r"More like this: (\S+)", text).group(1)

    for width, scheme in ((375, "light"), (1280, "light"), (375, "dark")):
        page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        errors = console_errors(page)
        offline(page, allowed=site.url)
        response = page.goto(view_url)
        assert "'nonce-" in response.headers["content-security-policy"]
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        screenshot(page, f"digest-view-in-browser-{width}-{scheme}")
        page.screenshot(path=str(SCREENSHOTS / f"digest-view-in-browser-{width}-{scheme}-top.png"))
        assert errors == []
        # Styled by the email's own stylesheet: cards on a card colour, the Read button filled.
        card = page.locator("td.card").first.evaluate("c => getComputedStyle(c).backgroundColor")
        assert card == (DARK_CARD if scheme == "dark" else LIGHT_CARD)
        button = page.locator("a.bp").first.evaluate("a => getComputedStyle(a).backgroundColor")
        assert button not in ("rgba(0, 0, 0, 0)", "transparent")
        assert page.locator(".preheader").is_hidden()
        assert page.get_by_role("link", name="View in browser").count() == 0
        assert small_links(page) == []
        page.close()

    page = browser.new_page(viewport={"width": 375, "height": 800})
    errors = console_errors(page)
    page.goto(more_url)
    assert page.get_by_role("heading", name="More like this?").is_visible()
    button = page.get_by_role("button", name="Yes, more like this")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(31, 95, 191)"
    screenshot(page, "digest-feedback-375")
    button.click()
    assert page.get_by_role("heading", name="Thanks — noted").is_visible()
    screenshot(page, "digest-feedback-recorded-375")
    assert errors == []
