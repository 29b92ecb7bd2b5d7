"""A student's first minute, in a real browser: open Home, load GloVe, see the summary."""

import time

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e
SCREENSHOT = ROOT / "docs" / "screenshots" / "home.png"


def test_load_glove_sample_and_see_the_summary(page):
    page.get_by_role("button", name="Load sample").click()
    page.get_by_text("Active space: GloVe 6B 50d (top 20,000)").wait_for()
    page.locator('[data-testid="stMetricValue"]').nth(1).wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics[:2] == ["20,000", "50"]
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_text("Preview", exact=True).wait_for()
    page.locator('[data-testid="stDataFrame"]').wait_for()
    time.sleep(1)  # let the chart and table finish drawing before the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000


def test_bad_upload_shows_a_message_naming_the_line(page, tmp_path):
    bad = tmp_path / "broken_vectors.txt"
    bad.write_text("king 0.1 0.2 0.3\nqueen 0.1 abc 0.3\n")
    page.get_by_role("tab", name="Upload vectors").click()
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(bad))
    page.get_by_text("broken_vectors.txt").first.wait_for()
    load = page.get_by_role("button", name="Load file")
    page.wait_for_function("b => !b.disabled", arg=load.element_handle())
    load.click()
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for()
    assert "line 2: 'abc' in the vector of 'queen' is not a number" in alert.inner_text()
    page.screenshot(path=str(ARTIFACTS / "home-bad-upload.png"))
    assert page.get_by_text("Traceback").count() == 0


def test_a_file_name_with_markup_shows_as_text(page, tmp_path):
    odd = tmp_path / "<img src=x>.txt"
    odd.write_text("king 0.1 0.2 0.3\nqueen 0.1 0.4 0.3\n")
    page.get_by_role("tab", name="Upload vectors").click()
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(odd))
    load = page.get_by_role("button", name="Load file")
    page.wait_for_function("b => !b.disabled", arg=load.element_handle())
    load.click()
    page.get_by_text("Active space: <img src=x>.txt").wait_for()
    page.get_by_role("button", name="Save <img src=x>.txt to my workspace").wait_for()
    page.get_by_text("<img src=x>.txt is private to this browser").wait_for()
    assert page.locator("img[src='x']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "home-markup-file-name.png"), full_page=True)
