"""A TensorFlow Projector folder in a real browser: sample_data/digits_projector.zip uploaded on Home
loads with its bookmarks listed; the teacher publishes it and turns the bookmarks into a draft
lesson, whose first step (previewed as a student) embeds Explore with the selected zeros
highlighted among the digits' thumbnails. A zip whose bookmarks file is broken still loads, with a
warning naming the file and line."""

import io
import zipfile

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT, TEACHER_CODE

pytestmark = pytest.mark.e2e
ZIP = ROOT / "sample_data" / "digits_projector.zip"
TITLES = ("All the zeros", "Colour by parity", "The digits under t-SNE")


def _upload(page, path) -> None:
    page.get_by_role("tab", name="Upload vectors").click()
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for()
    load = page.get_by_role("button", name="Load file")
    page.wait_for_function("b => !b.disabled", arg=load.element_handle())
    load.click()
    page.get_by_text(f"Active space: {path.name}").wait_for()


def _explore_frame(page):
    """The Explore page a lesson step embeds (an iframe at a same-server address)."""
    page.wait_for_function("() => [...document.querySelectorAll('iframe')].some(f => f.src.includes('/Explore?'))")
    return next(frame for frame in page.frames if "/Explore?" in frame.url)


def test_bookmarks_are_listed_and_become_a_lesson_whose_first_step_opens(browser, teacher_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(teacher_server)
        page.get_by_role("heading", name="Embedding Lab", level=1).wait_for()
        _upload(page, ZIP)
        page.get_by_text("100 points are images (thumbnails on Explore)").wait_for()
        page.get_by_text("Bookmarks saved with the Projector folder (3)").wait_for()
        for title in TITLES:
            page.get_by_text(title).first.wait_for()
        page.get_by_text("t-SNE in 2D · coloured by digit · a camera position").wait_for()
        page.get_by_text("once the space is published to the class").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "projector-bookmarks-home.png"))

        page.get_by_text("Teacher: publish a space to the class").click()
        code = page.get_by_label("Teacher code")
        code.fill(TEACHER_CODE)
        code.press("Enter")
        page.get_by_role("button", name=f"Publish {ZIP.name} to the class").first.click()
        make = page.get_by_role("button", name="Make a lesson from these bookmarks")
        make.wait_for()
        make.click()

        page.get_by_role("heading", name="Teach", level=1).wait_for()
        page.get_by_label("Lesson title").and_(page.locator(f"[value='Bookmarks: {ZIP.name}']")).wait_for()
        for number, title in enumerate(TITLES, start=1):
            page.get_by_text(f"Step {number}: {title}").wait_for()
        page.screenshot(path=str(ARTIFACTS / "projector-bookmarks-lesson-draft.png"))

        page.get_by_text("Preview as a student").click()
        page.get_by_text("Step 1 of 3", exact=True).wait_for()
        page.get_by_text("The 11 zeros, selected: do they sit together?").last.wait_for()
        explore = _explore_frame(page)
        explore.get_by_text("11 word(s) match").wait_for(timeout=120_000)
        thumbnails = explore.locator(".js-plotly-plot .layer-above image")
        thumbnails.first.wait_for(state="attached")
        assert thumbnails.count() > 0
        assert thumbnails.first.get_attribute("href").startswith("data:image/png;base64,")
        page.locator("iframe[src*='Explore?']").scroll_into_view_if_needed()
        explore.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1_000)
        page.screenshot(path=str(ARTIFACTS / "projector-bookmarks-step1.png"))
    finally:
        context.close()


def test_a_broken_bookmarks_file_is_a_warning_and_the_space_loads(page, tmp_path):
    broken = tmp_path / "broken_bookmarks.zip"
    source = zipfile.ZipFile(ZIP)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            is_bookmarks = info.filename.endswith("bookmarks.json")
            archive.writestr(info.filename, b'[{"label": "a"},\n{"label": ' if is_bookmarks else source.read(info))
    broken.write_bytes(buffer.getvalue())
    _upload(page, broken)
    page.get_by_text("digits_projector/bookmarks.json, line 2: not valid JSON").wait_for()
    assert page.get_by_text("Bookmarks saved with the Projector folder").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("digits_projector/bookmarks.json, line 2").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "projector-bookmarks-broken.png"))


def test_the_folders_files_uploaded_together_load_with_their_bookmarks(page, tmp_path):
    """The folder's five files chosen at once (not zipped) in the third uploader load as the zip does."""
    with zipfile.ZipFile(ZIP) as source:
        paths = []
        for info in source.infolist():
            path = tmp_path / info.filename.rsplit("/", 1)[-1]
            path.write_bytes(source.read(info))
            paths.append(str(path))
    page.get_by_role("tab", name="Upload vectors").click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Projector folder's files")
    uploader.locator("input[type=file]").set_input_files(paths)
    page.get_by_text("tensor.bytes").first.wait_for()
    load = page.get_by_role("button", name="Load folder")
    page.wait_for_function("b => !b.disabled", arg=load.element_handle())
    load.click()
    page.get_by_text("Active space: Digits (100, 8x8 pixels)").wait_for()
    page.get_by_text("100 points are images (thumbnails on Explore)").wait_for()
    page.get_by_text("Bookmarks saved with the Projector folder (3)").wait_for()
    for title in TITLES:
        page.get_by_text(title).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("Bookmarks saved with the Projector folder (3)").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "projector-files-together-home.png"))
