"""Words in context in a real browser: the built-in "bank" sentences encoded, opened on Explore and
coloured by sense; the screenshot goes to test-artifacts/ and docs/screenshots/contextual.png."""

import pytest

from app.contextual.model import missing_reason
from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(missing_reason() is not None, reason=f"optional extra missing: {missing_reason()}"),
]


def test_bank_senses_apart_in_explore(page, server):
    page.goto(f"{server}/Train")
    page.get_by_text("Most frequent words", exact=True).wait_for(timeout=120_000)
    page.get_by_role("radiogroup", name="Data").get_by_text("Words in context", exact=True).click()
    page.get_by_role("button", name="Encode", exact=True).click()
    page.get_by_text("Encoded", exact=False).first.wait_for(timeout=180_000)
    page.get_by_text("Static GloVe (ARI)").wait_for()
    page.screenshot(path=str(ARTIFACTS / "contextual-train.png"))

    page.get_by_role("link", name="Open it in Explore (colour by sense)").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    colour = page.locator('[data-testid="stSelectbox"]').filter(has_text="Colour by")
    colour.click()
    page.get_by_role("option", name="metadata: sense", exact=True).click()
    page.wait_for_function("() => document.location.search.includes('colour=')")
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_timeout(1500)
    legend = page.locator(".js-plotly-plot .legend").first.text_content() or ""
    assert "river" in legend and "money" in legend, legend
    page.locator(".js-plotly-plot").first.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "contextual-explore.png"))
    page.screenshot(path=str(ROOT / "docs" / "screenshots" / "contextual.png"))
