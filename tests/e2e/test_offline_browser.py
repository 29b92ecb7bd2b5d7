"""Offline means offline: walking every page sends no request beyond the server on 127.0.0.1.

A classroom server often has no internet; a request that leaves the machine (a favicon from a font
service, a tracking pixel in a link) either fails slowly or leaks that the lesson is happening.
"""

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

PAGES = ["", "Explore", "Train", "Analogies", "Evaluate", "Bias"]
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension"}


def _leaves_the_machine(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return False
    return parsed.hostname not in {"127.0.0.1", "localhost"}


def test_no_request_leaves_the_machine(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    context.on("request", lambda request: outside.append(request.url) if _leaves_the_machine(request.url) else None)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        for name in PAGES:
            tab.goto(f"{server}/{name}?sample=toy")
            tab.locator('[data-testid="stSidebar"]').wait_for()
            tab.wait_for_load_state("networkidle")
            tab.wait_for_timeout(1500)  # late requests: favicon, fonts, images in messages
        # A link that tries to make the page fetch an image (a tracking beacon) must not.
        tab.goto(
            f"{server}/Explore?sample=toy&find=![t](http://example.invalid/x.png)&query=![q](http://example.invalid/q.png)"
        )
        tab.locator('[data-testid="stSidebar"]').wait_for()
        tab.wait_for_load_state("networkidle")
        tab.wait_for_timeout(1500)
        tab.screenshot(path=str(ARTIFACTS / "offline-explore-hostile-link.png"))
    finally:
        context.close()
    assert not outside, f"requests left the machine: {sorted(set(outside))[:10]}"
