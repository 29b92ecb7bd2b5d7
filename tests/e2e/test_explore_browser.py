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


def slider(page, label):
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).locator('input[type="range"]')


def test_picture_settings_survive_a_umap_run(page, server):
    """Issue 11: after a new UMAP run, colour, clusters, labels and k came back as one colour, 2, 0, 1."""
    open_link(page, server, "sample=glove&n_words=20000&n=300")
    page.locator(".js-plotly-plot").first.wait_for()
    labels = slider(page, "Word labels")
    labels.focus()
    for _ in range(5):  # 100 -> 50, step 10
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.location.search.includes('labels=50')")
    settings = {"colour": "kmeans", "n_clusters": "8", "labels": "50", "k": "10"}
    page.get_by_role("radiogroup", name="Method").get_by_text("UMAP").click()
    page.get_by_role("button", name="Run UMAP").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=180_000)
    page.get_by_text("Neighbours kept").wait_for()
    page.wait_for_timeout(1000)
    assert slider(page, "Word labels").input_value() == "50"
    assert slider(page, "Clusters").input_value() == "8"
    assert slider(page, "How many").input_value() == "10"
    colour = page.locator('[data-testid="stSelectbox"]').filter(has_text="Colour by")
    shown = colour.evaluate(
        "e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value + ' ' + i.ariaLabel).join(' ')"
    )
    assert "clusters (k-means)" in shown, shown
    params = dict(p.split("=", 1) for p in page.evaluate("document.location.search")[1:].split("&"))
    assert {key: params.get(key) for key in settings} == settings
    assert params["method"] == "umap"
    page.screenshot(path=str(ARTIFACTS / "explore-umap-settings-kept.png"))
