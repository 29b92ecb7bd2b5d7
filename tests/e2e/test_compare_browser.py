"""Compare in a real browser: GloVe against its hard-debiased copy (added by the page's one-click
button), a picked word ringed in both linked pictures, a box selection echoed, and a broken formula."""

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e

RINGED_WORDS = """(word) => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter((plot) => (plot.data || []).some((trace) => trace.type === 'scattergl'))
    .slice(0, 1)
    .map((plot) => plot.data.filter((trace) => trace.marker && trace.marker.size === 14).length
        + ':' + plot.data.filter((trace) => trace.mode === 'text' && (trace.text || []).includes(word)).length)[0]"""


def test_glove_against_its_debiased_copy(page, server):
    page.goto(f"{server}/Compare?sample=glove")
    page.get_by_role("button", name="Add its hard-debiased copy and compare the two").click()
    page.get_by_text("Mean neighbour overlap").wait_for(timeout=300_000)
    page.get_by_role("heading", name="4. Linked pictures").wait_for(timeout=120_000)
    box = page.get_by_label("Word to look at (or select a row in the table)")
    box.fill("nurse")
    box.press("Enter")
    page.get_by_text("keeps", exact=False).first.wait_for()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('p')).some((p) => p.innerText.startsWith('nurse keeps'))",
        timeout=120_000,
    )
    page.wait_for_timeout(1500)
    assert page.evaluate(RINGED_WORDS, "nurse") == "2:2"  # ringed and labelled in both pictures
    assert "a=glove-20000" in page.url and "b=glove-20000-debiased" in page.url
    page.get_by_role("heading", name="4. Linked pictures").evaluate("(e) => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ROOT / "docs" / "screenshots" / "compare.png"))
    page.screenshot(path=str(ARTIFACTS / "compare.png"))

    # a lasso in the first picture rings the same words in both and lists them
    drag = page.locator(".js-plotly-plot").nth(1).locator(".nsewdrag").first
    area = drag.bounding_box()
    cx, cy, r = area["x"] + area["width"] * 0.5, area["y"] + area["height"] * 0.3, area["width"] * 0.2
    page.mouse.move(cx - r, cy - r)
    page.mouse.down()
    for x, y in ((cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r), (cx - r, cy - r)):
        page.mouse.move(x, y, steps=8)
    page.mouse.up()
    page.get_by_text("Selected, ringed in both pictures").wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "compare-selection.png"))


def test_broken_formula_gets_a_message(page, server):
    page.goto(f"{server}/Compare?a=glove-20000&b=glove-20000-debiased")
    formula = page.get_by_label("A word or formula, e.g. king - man + woman")
    formula.wait_for(timeout=300_000)
    formula.fill("nurse -")
    formula.press("Enter")
    page.get_by_text("Could not search both spaces").wait_for(timeout=120_000)
    assert page.get_by_text("Traceback").count() == 0
    page.get_by_text("Could not search both spaces").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "compare-bad-formula.png"))
