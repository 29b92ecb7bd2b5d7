"""Evaluate in a real browser: word-pair scores appear, the Google analogy benchmark runs with
progress and draws its sections, and a broken uploaded benchmark names its line."""

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e


def test_benchmarks_in_the_browser(page, server, tmp_path):
    page.goto(f"{server}/Evaluate?sample=glove&n_words=20000")
    page.get_by_role("button", name="Run the analogy benchmark").wait_for()
    assert page.get_by_test_id("stNumberInputField").input_value() == "20000"  # not 300000: the space's size
    page.get_by_role("button", name="Run the analogy benchmark").click()
    page.get_by_text("Questions GloVe 6B 50d (top 20,000) got wrong").wait_for(timeout=120_000)
    page.get_by_text("the best answer was exactly the expected word for").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ROOT / "docs" / "screenshots" / "evaluate.png"))
    page.get_by_role("tab", name="Word similarity").click()
    page.get_by_text("Where people and the model disagree most").wait_for()
    page.get_by_text("On WordSim353, GloVe 6B 50d (top 20,000) orders the").wait_for()
    page.get_by_role("tab", name="Analogies").click()
    page.get_by_text("Upload my own").click()
    broken = tmp_path / "mine.txt"
    broken.write_text(": capitals\nathens greece baghdad iraq\noslo norway\n")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Your own analogy file")
    uploader.locator("input[type=file]").set_input_files(str(broken))
    uploader.get_by_text("mine.txt").wait_for()
    page.get_by_role("button", name="Run the analogy benchmark").click()
    page.get_by_text("mine.txt, line 3").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "evaluate-bad-upload.png"))
