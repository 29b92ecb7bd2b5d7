"""Train in a real browser: the classroom corpus, word2vec with live progress, the result opened on
Explore (king - man + woman), the workspace reopened from its link in a fresh browser, a bad upload;
a run another session trained is only offered: the active space stays until Train is pressed."""


import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e


def test_train_then_explore_then_come_back(page, server, browser):
    page.goto(f"{server}/Train")
    page.get_by_text("Most frequent words", exact=True).wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Trained", exact=False).first.wait_for(timeout=180_000)
    page.get_by_text("The space forming", exact=True).wait_for()
    page.locator(".updatemenu-item-text").first.wait_for(state="attached")  # the playback figure is drawn
    page.wait_for_timeout(1000)
    page.get_by_role("heading", name="4. Training").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ROOT / "docs" / "screenshots" / "train.png"))

    page.get_by_role("link", name="Explore it").click()
    box = page.get_by_label("A word or a formula", exact=True)
    box.fill("king - man + woman")
    box.press("Enter")
    page.get_by_text("The query's own words (king, man, woman) are left out").wait_for()
    top3 = [page.locator(f'[data-testid="glide-cell-1-{row}"]').first.text_content() for row in range(3)]
    assert "queen" in top3, top3
    page.screenshot(path=str(ARTIFACTS / "train-explore.png"))

    assert "ws=" not in page.url  # a view link never carries the private workspace key
    page.get_by_role("link", name="Home").click()
    page.get_by_text("Open this workspace in another browser").click()
    workspace_link = page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    fresh = browser.new_context(viewport={"width": 1400, "height": 1200})
    try:
        again = fresh.new_page()
        again.goto(workspace_link)
        again.get_by_role("heading", name="Your workspace").wait_for(timeout=60_000)
        again.get_by_text("word2vec · Classroom sentences (ours)").first.wait_for()
        again.screenshot(path=str(ARTIFACTS / "workspace-reopened.png"))
    finally:
        fresh.close()


def test_binary_upload_gets_a_message(page, server, tmp_path):
    page.goto(f"{server}/Train")
    page.get_by_text("My own text (upload)").click()
    junk = tmp_path / "photo.txt"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(junk))
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for()
    assert "photo.txt" in alert.inner_text()
    assert page.get_by_text("Traceback").count() == 0
    page.screenshot(path=str(ARTIFACTS / "train-bad-upload.png"))


SUCCESS = '[data-testid="stAlertContentSuccess"]'


def active_space(tab) -> str:
    """The name the sidebar's "Active space" picker shows."""
    return tab.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Active space").input_value()


def test_a_run_trained_by_another_session_leaves_the_active_space_alone(page, server, browser):
    page.goto(f"{server}/Train")  # another student trains the default model (or uses the server's copy)
    page.get_by_text("Most frequent words", exact=True).wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Trained", exact=False).first.wait_for(timeout=180_000)

    fresh = browser.new_context(viewport={"width": 1400, "height": 1200})
    try:
        tab = fresh.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(f"{server}/Analogies?sample=glove")
        tab.get_by_text("man : king :: woman : queen").wait_for()
        assert "GloVe" in active_space(tab)
        tab.locator('[data-testid="stSidebar"]').get_by_role("link", name="Train").click()
        tab.get_by_text("Most frequent words", exact=True).wait_for()
        tab.get_by_text("already trained on the server", exact=False).wait_for()
        tab.wait_for_timeout(1500)  # give a page that would take the result on its own time to do so
        assert tab.locator(SUCCESS).count() == 0, tab.locator(SUCCESS).all_inner_texts()
        assert "GloVe" in active_space(tab)
        tab.screenshot(path=str(ARTIFACTS / "train-offered.png"))

        tab.get_by_role("button", name="Train", exact=True).click()
        tab.locator(SUCCESS).get_by_text("Trained", exact=False).wait_for()
        assert "word2vec" in active_space(tab)
        tab.screenshot(path=str(ARTIFACTS / "train-offered-taken.png"))
    finally:
        fresh.close()
