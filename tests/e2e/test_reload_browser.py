"""A reload (F5) brings the session back: a built-in sample and an upload, and the active one."""

import pytest

from tests.conftest import SAMPLE_DATA as SAMPLE_DATA_DIR
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
GLOVE = "GloVe 6B 50d (top 20,000)"


def sidebar_picker(tab):
    return tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')


def test_reload_brings_back_glove_and_an_upload_with_the_active_one(page):
    page.get_by_role("button", name="Load sample").click()
    page.get_by_text(f"Active space: {GLOVE}").wait_for()
    page.get_by_role("tab", name="Upload vectors").click()
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(
        str(SAMPLE_DATA_DIR / "toy.w2v.txt")
    )
    load = page.get_by_role("button", name="Load file")
    page.wait_for_function("b => !b.disabled", arg=load.element_handle())
    load.click()
    page.get_by_text("Active space: toy.w2v.txt").wait_for()

    sidebar_picker(page).click()
    page.get_by_role("option", name=GLOVE).click()
    page.get_by_text(f"Active space: {GLOVE}").wait_for()
    page.wait_for_timeout(500)  # the record is written in the run that follows the choice

    page.reload()
    page.get_by_text(f"Active space: {GLOVE}").wait_for(timeout=15_000)
    sidebar_picker(page).click()
    options = page.get_by_role("option").all_inner_texts()
    assert options == [GLOVE, "toy.w2v.txt"], options
    page.keyboard.press("Escape")
    page.screenshot(path=str(ARTIFACTS / "reload-after-f5.png"))
