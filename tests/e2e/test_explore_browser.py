"""Explore in a real browser: a shared link opens a PCA picture of GloVe, a formula finds
its neighbours, a t-SNE job runs with progress, and a broken formula gets a message."""

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e
SCREENSHOT = ROOT / "docs" / "screenshots" / "explore.png"


def open_link(page, server, query):
    page.goto(f"{server}/Explore?{query}")
    page.get_by_role("heading", name="Explore", level=1).wait_for()


def test_shared_link_picture_and_formula_neighbours(page, server):
    open_link(page, server, "sample=glove&n_words=20000&n=2000&query=king+-+man+%2B+woman")
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_text("are among the projected points").wait_for()
    assert page.get_by_text("The query's own words (king, man, woman) are left out").count() == 1
    assert page.locator(".js-plotly-plot .legendtext").count() >= 8  # k-means clusters in the legend
    page.wait_for_timeout(1500)
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOT))


def test_tsne_runs_in_the_background_with_progress(page, server):
    open_link(page, server, "sample=glove&n_words=20000&n=300&method=tsne")
    page.get_by_role("button", name="Run t-SNE").click()
    page.locator('[data-testid="stProgress"]').first.wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.get_by_text("Neighbours kept").wait_for()
    page.screenshot(path=str(ARTIFACTS / "explore-tsne.png"))


def test_broken_formula_shows_a_message(page, server):
    open_link(page, server, "sample=glove&n_words=20000&n=300")
    box = page.get_by_label("A word or a formula")
    box.fill("king - ")
    box.press("Enter")
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for()
    assert "ends too early" in alert.inner_text()
    page.screenshot(path=str(ARTIFACTS / "explore-bad-formula.png"))


def test_lasso_selection_lists_words_with_their_neighbours(page, server):
    open_link(page, server, "sample=glove&n_words=20000&n=500&labels=0&colour=none")
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for()
    page.wait_for_timeout(1500)
    plot.scroll_into_view_if_needed()
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 60, cy - 60)
    page.mouse.down()
    for dx, dy in ((60, -60), (60, 60), (-60, 60), (-60, -60)):
        page.mouse.move(cx + dx, cy + dy, steps=8)
    page.mouse.up()
    listed = page.get_by_text("selected point(s)")
    listed.wait_for(timeout=30_000)
    listed.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "explore-lasso.png"))
