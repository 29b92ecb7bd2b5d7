"""The classroom's first lesson in a real browser: king - man + woman = queen, then typos: in c (an
error), in the expected answer (the answers stay), and Markdown typed as a word (shown as typed)."""

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


def test_typo_in_the_expected_answer_and_markdown_typed_as_a_word(page, server):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{server}/Analogies?sample=glove&expected=qeen")
    page.get_by_text("man : king :: woman : queen").wait_for()
    page.get_by_text("(a typo?), so it has no rank").wait_for()
    assert page.get_by_text("Rank of").count() == 0
    page.get_by_role("button", name="Check 20 famous analogies").click()
    page.get_by_text("2 of the 20 were skipped because this space does not know").wait_for()
    box = page.get_by_label("is to ? (your expected answer, optional)", exact=True)
    box.fill("![x](http://host.invalid/y.png)")
    box.press("Enter")
    page.get_by_text("The expected answer '![x](http://host.invalid/y.png)' is not in").wait_for()
    box = page.get_by_label("as c", exact=True)
    box.fill("__import__('os')")
    box.press("Enter")
    alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text="Could not solve the analogy")
    alert.wait_for()
    assert "__import__('os')" in alert.inner_text()
    assert alert.locator("strong").count() == 0
    page.screenshot(path=str(ARTIFACTS / "analogies-markdown-typed.png"))
    assert not [url for url in fetched if "host.invalid" in url]
