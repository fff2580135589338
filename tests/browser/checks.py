"""Checks every page (and every rendered email) must pass in a real browser.

Watch a Playwright page from before it navigates, then ask for the problems it found:

    watch = PageWatch(page)
    page.goto(url)
    problems = watch.problems() + favicon_problems(page) + overflow_problems(page)
    problems += axe_problems(page)
    assert not problems, report("home", "375", problems)

Each check returns plain strings naming the check and the offending items, so a failure message
says exactly what broke. Nothing here knows about Paperboy's pages: the email-rendering tests
use the same checks on a digest loaded with page.set_content().
"""

from __future__ import annotations

from urllib.parse import urljoin

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
SERIOUS = ("serious", "critical")
MAX_ITEMS = 8  # offending elements listed per problem; the count says how many there were


class PageWatch:
    """Console errors (CSP violations are console errors in Chromium), uncaught exceptions,
    sub-resources answering 4xx/5xx and requests that failed outright. The main document's
    own status is not a sub-resource: a 404 page answers 404 on purpose (see document_status)."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        self.resources: list[str] = []
        self.documents: list = []  # main-document responses, after redirects the last
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"uncaught exception: {error}"))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        if message.text.startswith("Failed to load resource") and where in self._document_urls():
            return  # Chromium's note on the page's own status: see document_status()
        self.console.append(f"{message.text}" + (f" [at {where}]" if where else ""))

    def _document_urls(self) -> set[str]:
        return {response.url for response in self.documents}

    def _is_document(self, request) -> bool:
        return request.is_navigation_request() and request.frame == self.page.main_frame

    def _on_response(self, response) -> None:
        if self._is_document(response.request):
            self.documents.append(response)
        elif response.status >= 400:
            self.resources.append(f"{response.status} {response.request.method} {response.url}")

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED: the page navigated away while the request was in flight (a form was
        # sent during a live-preview fetch); what blocks or breaks a request is reported.
        if not self._is_document(request) and "ERR_ABORTED" not in (request.failure or ""):
            self.resources.append(f"failed {request.method} {request.url}: {request.failure}")

    def problems(self) -> list[str]:
        found = [f"console error: {text}" for text in self.console]
        found += [f"sub-resource: {line}" for line in self.resources]
        return found

    def document_status(self) -> int | None:
        """The status of the last main-document response (after redirects)."""
        return self.documents[-1].status if self.documents else None

    def is_html(self) -> bool:
        """Whether the document is a page (not JSON or text, which Chromium shows in its own
        viewer: that viewer's markup is not ours to check)."""
        if not self.documents:
            return False
        return self.documents[-1].headers.get("content-type", "").startswith("text/html")

    def scripts_blocked(self) -> bool:
        """A CSP sandbox without allow-scripts (how mail HTML is shown): Playwright cannot run
        script in such a page at all (page.evaluate waits forever), so check a copy instead."""
        if not self.documents:
            return False
        policy = self.documents[-1].headers.get("content-security-policy", "")
        return "sandbox" in policy and "allow-scripts" not in policy

    def scriptable(self):
        """The page to run the DOM checks on: the page itself, or, when its CSP forbids script,
        the same HTML in a new page of the same context (same viewport and colour scheme)."""
        if not self.scripts_blocked():
            return self.page
        copy = self.page.context.new_page()
        copy.set_content(self.documents[-1].text(), wait_until="load")
        return copy


def favicon_problems(
    page, *, base: str | None = None, seen: dict[str, int] | None = None
) -> list[str]:
    """The page's icon (its <link rel=icon>, else /favicon.ico as browsers ask for it) must
    load. Headless Chromium does not always report its own favicon request, so ask directly.
    `base`: the address the page was served from (a copy made by scriptable() has none);
    `seen` caches answers per URL across pages."""
    base = base or page.url
    hrefs = page.eval_on_selector_all(
        "link[rel~='icon']", "links => links.map(link => link.getAttribute('href'))"
    )
    urls = [urljoin(base, href) for href in hrefs if href] or [urljoin(base, "/favicon.ico")]
    found = []
    for url in urls:
        if url.startswith("data:"):
            continue
        status = seen.get(url) if seen is not None else None
        if status is None:
            status = page.request.get(url).status
            if seen is not None:
                seen[url] = status
        if status >= 400:
            found.append(f"favicon: {status} GET {url}")
    return found


OVERFLOW_JS = """() => {
  const root = document.scrollingElement || document.documentElement;
  const width = root.clientWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    else if (el.classList.length) name += '.' + [...el.classList].slice(0, 2).join('.');
    return name;
  };
  const wide = [];
  const offenders = new Set();
  const insideOffender = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) if (offenders.has(up)) return true;
    return false;
  };
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    const box = el.getBoundingClientRect();
    if (!box.width || box.right <= width + 1) continue;
    // Outermost offenders only: a wide table makes every cell inside it wide too.
    if (!insideOffender(el)) wide.push([describe(el), Math.round(box.right)]);
    offenders.add(el);
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, wide: wide};
}"""


def overflow_problems(page) -> list[str]:
    """Horizontal overflow: document.scrollingElement.scrollWidth > clientWidth, with the
    elements whose right edge passes the viewport."""
    found = page.evaluate(OVERFLOW_JS)
    if found["scrollWidth"] <= found["clientWidth"]:
        return []
    wide = [f"{name} (right edge {right}px)" for name, right in found["wide"]]
    listed = ", ".join(wide[:MAX_ITEMS])
    if len(wide) > MAX_ITEMS:
        listed += f", … {len(wide) - MAX_ITEMS} more"
    return [
        f"overflow: scrollWidth {found['scrollWidth']}px > clientWidth {found['clientWidth']}px"
        + (f"; wider than the viewport: {listed}" if wide else "")
    ]


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in SERIOUS]


def axe_problems(page) -> list[str]:
    found = []
    for violation in axe_violations(page):
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        listed = "; ".join(targets[:MAX_ITEMS])
        if len(targets) > MAX_ITEMS:
            listed += f"; … {len(targets) - MAX_ITEMS} more"
        found.append(
            f"axe {violation['impact']} {violation['id']} ({violation['help']}), "
            f"{len(targets)} element(s): {listed}"
        )
    return found


def report(page_name: str, mode: str, problems: list[str]) -> str:
    """The failure message: which page, which width/mode, then one problem per line."""
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"{page_name} at {mode}: {len(problems)} problem(s)\n{lines}"
