"""The classroom's first lesson in a real browser: king - man + woman = queen, then a typo."""

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e


def test_king_queen_lesson_and_a_typo(page, server):
    page.goto(f"{server}/Analogies?sample=glove")
    page.get_by_text("man : king :: woman : queen").wait_for()
    page.get_by_text("With nothing excluded, the top answer would be").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ROOT / "docs" / "screenshots" / "analogies.png"))
    box = page.get_by_label("as c", exact=True)
    box.fill("womanz")
    box.press("Enter")
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for()
    assert "'womanz'" in alert.inner_text()
    page.screenshot(path=str(ARTIFACTS / "analogies-typo.png"))
