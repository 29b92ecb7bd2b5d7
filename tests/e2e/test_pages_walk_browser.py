"""Every page on its defaults, one after another in one browser context, as a new user would walk them.

Each page must draw without an exception block, no request may leave 127.0.0.1 (a classroom server is
often offline, and a request out leaks that the lesson happens), and each page leaves a full-page
screenshot in test-artifacts/walk/ for a person to look at. The server is lab_server.py, the one
`make run` serves, so the security headers (CSP img-src, frame-ancestors) are on while the pages,
plotly and the embedded lesson frames draw.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

WALK = ARTIFACTS / "walk"
# (file stem, path and query, level-1 heading). Home loads GloVe first; the rest open on it.
PAGES = [
    ("0_home", "/?sample=glove", "Embedding Lab"),
    ("1_explore", "/Explore?sample=glove", "Explore"),
    ("2_train", "/Train", "Train"),
    ("3_analogies", "/Analogies?sample=glove", "Analogies"),
    ("4_evaluate", "/Evaluate?sample=glove", "Evaluate"),
    ("5_bias", "/Bias?sample=glove", "Bias"),
    ("6_compare", "/Compare?sample=glove", "Compare two spaces"),
    ("7_lessons", "/Lessons", "Lessons"),
    ("8_teach", "/Teach", "Teach"),
]
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension"}


def _leaves_the_machine(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme not in LOCAL_SCHEMES and parsed.hostname not in {"127.0.0.1", "localhost"}


def _settle(tab) -> None:
    """Wait until the script has stopped running (Streamlit's status widget gone for a moment)."""
    quiet = 0
    for _ in range(600):  # at most ~60 s
        running = tab.locator('[data-testid="stStatusWidget"]').count() > 0
        quiet = 0 if running else quiet + 1
        if quiet >= 10:
            return
        tab.wait_for_timeout(100)


def test_walk_every_page_on_its_defaults(browser, hardened_server):
    WALK.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if _leaves_the_machine(r.url) else None)
    tab = context.new_page()
    tab.set_default_timeout(90_000)
    broken: dict[str, str] = {}
    try:
        for stem, path, heading in PAGES:
            tab.goto(f"{hardened_server}{path}")
            tab.get_by_role("heading", name=heading, level=1).wait_for()
            _settle(tab)
            tab.wait_for_timeout(800)  # plotly draws after the script ends
            tab.screenshot(path=str(WALK / f"{stem}.png"), full_page=True)
            exceptions = tab.locator('[data-testid="stException"]')
            if exceptions.count():
                broken[stem] = exceptions.first.inner_text()[:300]
    finally:
        context.close()
    assert not broken, f"pages showed an exception block: {broken}"
    assert not outside, f"requests left the machine: {sorted(set(outside))[:10]}"
