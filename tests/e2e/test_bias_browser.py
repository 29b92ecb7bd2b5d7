"""Bias in a real browser: professions on the gender direction, WEAT 1 next to the paper,
hard debiasing with its check, and a broken formula."""

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
