"""Bias in a real browser: professions on the gender direction, WEAT 1 next to the paper,
hard debiasing with its check, the default 20k sample's WEAT explained, and broken or hostile formulas."""

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e


def test_professions_weat_and_debiasing(page, server):
    page.goto(f"{server}/Bias?sample=glove&n_words=100000")
    page.get_by_role("heading", name="2. Words on the direction").wait_for()
    chart = page.locator(".js-plotly-plot").nth(1)
    chart.wait_for()
    page.get_by_text("Effect size (d)").wait_for()
    page.wait_for_timeout(1000)
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(ROOT / "docs" / "screenshots" / "bias.png"))
    page.get_by_role("button", name="Hard-debias along this direction").click()
    page.get_by_text("to this session, next to the original").wait_for(timeout=120_000)
    page.get_by_text("Removing one direction does not remove the bias").wait_for()
    page.screenshot(path=str(ARTIFACTS / "bias-debiased.png"))


def test_broken_formula_direction(page, server):
    page.goto(f"{server}/Bias?sample=glove")
    page.get_by_text("A formula", exact=True).click()
    box = page.get_by_label("Formula", exact=True)
    box.fill("woman -")
    box.press("Enter")
    page.get_by_text("Could not build the direction: 'woman -' ends too early").wait_for()
    assert page.get_by_text("Traceback").count() == 0
    page.screenshot(path=str(ARTIFACTS / "bias-bad-formula.png"))


def test_default_sample_explains_weat_and_runs_all_tests(page, server):
    page.goto(f"{server}/Bias?sample=glove")
    page.get_by_text("needs rarer words than").wait_for(timeout=60_000)
    page.get_by_role("button", name="Load GloVe with its 100,000 most frequent words").wait_for()
    assert page.locator("[data-testid=stAlertContentError]").count() == 0  # explained, not a red error
    page.get_by_text("Hard-debias along this direction").wait_for(timeout=60_000)  # the script has finished
    page.get_by_role("button", name="Run all ten tests").click()
    table = page.locator("[data-testid=stTable]")
    table.wait_for(timeout=120_000)
    cells = table.locator("td").all_inner_texts()
    assert "not run" in cells and "None" not in cells
    assert any(c.startswith("too few words in the space: Flowers") for c in cells)
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "bias-weat-small-sample.png"))


def test_hostile_formula_is_shown_not_rendered(page, server):
    page.goto(f"{server}/Bias?sample=glove")
    page.get_by_text("A formula", exact=True).click()
    box = page.get_by_label("Formula", exact=True)
    box.fill("__import__('os') - ![t](http://127.0.0.1:9/x.png)")
    box.press("Enter")
    alert = page.locator("[data-testid=stAlert]").filter(has_text="Could not build the direction")
    alert.wait_for()
    assert "__import__('os')" in alert.inner_text()
    assert alert.locator("img, a").count() == 0
    page.screenshot(path=str(ARTIFACTS / "bias-hostile-formula.png"))
