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
# (file stem, path and query, level-1 heading, what shows the page has drawn or None).
# Home loads GloVe first; the rest open on it.
PLOT = ".js-plotly-plot"
PAGES = [
    ("0_home", "/?sample=glove", "Embedding Lab", PLOT),
    ("1_explore", "/Explore?sample=glove", "Explore", PLOT),
    ("2_train", "/Train", "Train", None),
    ("3_analogies", "/Analogies?sample=glove", "Analogies", None),
    ("4_evaluate", "/Evaluate?sample=glove", "Evaluate", None),
    ("5_bias", "/Bias?sample=glove", "Bias", None),
    ("6_compare", "/Compare?sample=glove", "Compare two spaces", None),
    ("7_lessons", "/Lessons", "Lessons", None),
    ("8_teach", "/Teach", "Teach", None),
]
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension"}


def _leaves_the_machine(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme not in LOCAL_SCHEMES and parsed.hostname not in {"127.0.0.1", "localhost"}


def _settle(tab) -> None:
    """Wait until the script has stopped running: Streamlit's status widget gone for two seconds
    (it shows up only a moment after a run starts, hence the long quiet spell)."""
    quiet = 0
    for _ in range(900):  # at most ~90 s
        running = tab.locator('[data-testid="stStatusWidget"]').count() > 0
        quiet = 0 if running else quiet + 1
        if quiet >= 20:
            return
        tab.wait_for_timeout(100)


def _screenshot_whole_page(tab, path) -> None:
    """Streamlit scrolls inside its main block, so a full-page shot would stop at the window:
    make the window as tall as the content (at most 8,000 px) for the shot."""
    height = tab.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    tab.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 8000)})
    tab.wait_for_timeout(500)
    tab.screenshot(path=str(path))
    tab.set_viewport_size({"width": 1400, "height": 1000})


def test_walk_every_page_on_its_defaults(browser, hardened_server):
    WALK.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if _leaves_the_machine(r.url) else None)
    tab = context.new_page()
    tab.set_default_timeout(90_000)
    broken: dict[str, str] = {}
    try:
        for stem, path, heading, ready in PAGES:
            tab.goto(f"{hardened_server}{path}")
            tab.get_by_role("heading", name=heading, level=1).wait_for()
            _settle(tab)
            if ready:
                tab.locator(ready).first.wait_for()
            tab.wait_for_timeout(800)  # plotly draws after the script ends
            _screenshot_whole_page(tab, WALK / f"{stem}.png")
            exceptions = tab.locator('[data-testid="stException"]')
            if exceptions.count():
                broken[stem] = exceptions.first.inner_text()[:300]
        # A lesson step that embeds Explore (same origin, ?embed=true) still draws under the CSP headers.
        tab.goto(f"{hardened_server}/Lessons?lesson=near&step=5")
        embedded = tab.frame_locator("iframe[src*='embed=true']").first
        embedded.get_by_role("heading", name="Explore", level=1).wait_for()
        embedded.locator(PLOT).first.wait_for()
        _settle(tab)
        _screenshot_whole_page(tab, WALK / "9_lesson_embeds_explore.png")
    finally:
        context.close()
    assert not broken, f"pages showed an exception block: {broken}"
    assert not outside, f"requests left the machine: {sorted(set(outside))[:10]}"
