"""Explore's WebGL scatter in a real browser (software GL: SwiftShader; there is no GPU here):
a large selection is drawn by the component (its canvas has coloured pixels), hovering a point
shows its word, a box selection reaches the selection panel, and a rerun that only adds
highlights fetches no points again. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest

from tests.e2e.conftest import ARTIFACTS, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e
SOFTWARE_GL = [a for a in CHROMIUM_ARGS if a != "--disable-gpu"] + [
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
FRAME = 'iframe[title*="webgl_scatter"]'
LINK = "sample=glove&n_words=50000&n=50000&labels=20&colour=kmeans"


@pytest.fixture(scope="module")
def gl_browser(playwright_driver, chromium: str) -> Iterator[object]:
    browser = playwright_driver.chromium.launch(executable_path=chromium, args=SOFTWARE_GL)
    yield browser
    browser.close()


@pytest.fixture
def gl_page(gl_browser, server: str) -> Iterator[object]:
    page = gl_browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    yield page
    page.close()


def open_picture(page, server: str, query: str):
    """Open Explore and wait until the component says it has drawn; the frame and its element."""
    fetches: list[str] = []
    page.on("request", lambda r: fetches.append(r.url) if "/_lab/scatter" in r.url else None)
    page.goto(f"{server}/Explore?{query}")
    page.get_by_role("heading", name="Explore", level=1).wait_for()
    element = page.locator(FRAME)
    element.wait_for(state="attached")
    frame = page.frame_locator(FRAME)
    frame.locator('#root[data-state="drawn"]').wait_for()
    element.evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(500)
    return frame, element, fetches


def coloured_share(png: bytes) -> float:
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return float((pixels.max(axis=2) - pixels.min(axis=2) > 40).mean())


def test_big_picture_draws_hovers_and_selects(gl_page, server):
    page = gl_page
    frame, element, fetches = open_picture(page, server, LINK)
    assert len(fetches) == 3  # points, colours, labels: binary, by their own requests
    assert coloured_share(frame.locator("#points").screenshot()) > 0.02  # the points were painted
    assert page.locator(".js-plotly-plot").count() == 0  # not Plotly

    # hover: move the mouse onto a point the component reports on screen
    box = element.bounding_box()
    x, y = frame.locator("#points").evaluate("() => window.__scatter.getScreenPosition(0)")
    stage = frame.locator("#stage").bounding_box()
    page.mouse.move(stage["x"] + x, stage["y"] + y)
    tooltip = frame.locator("#tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert tooltip.inner_text().splitlines()[0].strip() != ""
    page.screenshot(path=str(ARTIFACTS / "scatter-hover.png"))

    # box selection: the rows reach the selection panel below the picture
    frame.get_by_role("button", name="Box").click()
    cx, cy = stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2
    page.mouse.move(cx - 40, cy - 40)
    page.mouse.down()
    page.mouse.move(cx + 40, cy + 40, steps=10)
    page.mouse.up()
    listed = page.get_by_text("selected point(s)")
    listed.wait_for(timeout=60_000)
    assert int(listed.inner_text().split()[0]) > 0
    assert box["height"] > 500
    page.screenshot(path=str(ARTIFACTS / "scatter-selected.png"), full_page=True)


def test_a_highlight_change_fetches_no_points_again(gl_page, server):
    page = gl_page
    frame, _, fetches = open_picture(page, server, LINK)
    first = frame.locator("#root").get_attribute("data-hash")
    assert len(fetches) == 3
    box = page.get_by_label("Find words in the picture")
    box.fill("king")
    box.press("Enter")
    page.wait_for_function("() => document.location.search.includes('find=king')")
    frame.locator('#root[data-state="drawn"]').wait_for()
    page.wait_for_timeout(1500)
    assert frame.locator("#root").get_attribute("data-hash") == first
    assert len(fetches) == 3  # the component kept the parts by hash
    page.screenshot(path=str(ARTIFACTS / "scatter-find.png"))


def test_past_the_cap_an_even_sample_is_drawn_and_the_box_selects_among_all(gl_page, server):
    """200,000 points: more than the component draws at a time (CAP in detail.js). Zoomed out it
    draws an even sample and says so; a box selects every point inside, drawn or not."""
    page = gl_page
    frame, _, _ = open_picture(page, server, "sample=glove&n_words=200000&n=200000&labels=0&colour=none")
    status = frame.locator("#status").inner_text()
    assert "of 200,000 points drawn" in status, status
    stage = frame.locator("#stage").bounding_box()
    frame.get_by_role("button", name="Box").click()
    cx, cy = stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2
    page.mouse.move(cx - 50, cy - 50)
    page.mouse.down()
    page.mouse.move(cx + 50, cy + 50, steps=10)
    page.mouse.up()
    listed = page.get_by_text("selected point(s)")
    listed.wait_for(timeout=60_000)
    chosen = int(listed.inner_text().split()[0])
    drawn_and_chosen = frame.locator("#points").evaluate("() => window.__scatter.get('selectedPoints').length")
    assert chosen > drawn_and_chosen > 0  # the drawn sample holds only some of the points in the box
    page.screenshot(path=str(ARTIFACTS / "scatter-200k-selected.png"))
