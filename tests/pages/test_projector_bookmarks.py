"""AppTest: a Projector folder's bookmarks on Home (listed; a lesson only once the space is
published), turned into a draft lesson that opens in the editor on Teach; a broken bookmarks
file is a warning, and the space still loads."""

from __future__ import annotations

import io
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from app.lessons import store
from app.store.workspace import Workspace
from pages._ui import lesson_editor, workspace
from tests.conftest import SAMPLE_DATA
from tests.pages.test_home import HOME, upload

ZIP = SAMPLE_DATA / "digits_projector.zip"
TITLES = ["All the zeros", "Colour by parity", "The digits under t-SNE"]


@pytest.fixture
def teacher(monkeypatch):
    monkeypatch.setenv("EMBEDDING_LAB_TEACHER_CODE", "right-code")
    workspace.teacher_attempts.clear()
    yield "right-code"
    workspace.teacher_attempts.clear()


def _home() -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=60)
    at.run()
    upload(at, ZIP.name, ZIP.read_bytes())
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_bookmarks_are_listed_and_a_private_upload_asks_to_be_published_first():
    at = _home()
    listed = _markdown(at)
    for title in TITLES:
        assert title in listed
    assert "11 selected points (digit 0 \\#0" in listed and "t-SNE in 2D · coloured by digit · a camera" in listed
    assert not any(b.label == "Make a lesson from these bookmarks" for b in at.button)
    assert any("once the space is published to the class" in c.value for c in at.caption)
    assert not any("bookmark" in w.value for w in at.warning)  # the sample's bookmarks read cleanly


def test_the_teacher_publishes_and_the_bookmarks_become_a_draft_lesson_on_teach(teacher):
    at = _home()
    at.text_input(key="teacher_code").set_value(teacher).run()
    at.button(key="bookmarks_lesson_home_publish").click().run()
    try:
        at.button(key="bookmarks_lesson_home").click().run()
        assert not at.exception, at.exception
        ids = at.session_state[lesson_editor.ORDER]
        titles = [at.session_state[f"lesson_step_{i}_title"] for i in ids]
        assert titles == TITLES
        shows = [at.session_state[f"lesson_step_{i}_show"] for i in ids]
        published = workspace.shelf().list()
        entry_id = next(e.id for e in published if e.name == ZIP.name)
        assert all(show.startswith(f"view Explore?space={entry_id}&") for show in shows)
        assert "find_mode=regex" in shows[0] and "colour=meta%3Aparity" in shows[1] and "method=tsne" in shows[2]
        assert at.session_state[lesson_editor.TITLE] == f"Bookmarks: {ZIP.name}"
        token = workspace.keys().token_of(at.session_state[workspace.KEY])
        draft = store.read_draft(Workspace(workspace.root(), token or "").path)
        assert draft is not None and [s.title for s in draft.steps] == TITLES
        text = at.session_state[f"lesson_step_{ids[2]}_text"]
        assert "Not carried over from the Projector" in text and "the camera" in text
        # On Teach the same button starts over; the draft being written is kept among the saved lessons.
        at.text_input(key=lesson_editor.TITLE).set_value("My edited draft").run()
        at.button(key="bookmarks_lesson_teach").click().run()
        assert not at.exception, at.exception
        assert at.session_state[lesson_editor.TITLE] == f"Bookmarks: {ZIP.name}"
        saved = store.workspace_lessons(Workspace(workspace.root(), token or "").path).list()
        assert [entry.lesson.title for entry in saved] == ["My edited draft"]
    finally:
        for entry in workspace.shelf().list():
            if entry.name == ZIP.name:
                workspace.shelf().unpublish(entry.id)


def test_a_broken_bookmarks_file_is_a_warning_naming_it_and_the_space_loads():
    source = zipfile.ZipFile(ZIP)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        for info in source.infolist():
            bookmarks = info.filename.endswith("bookmarks.json")
            broken.writestr(info.filename, b'[{"label": "a"},\n{"label": ' if bookmarks else source.read(info))
    at = AppTest.from_file(HOME, default_timeout=60)
    at.run()
    upload(at, "broken.zip", buffer.getvalue())
    assert not at.exception and not at.error
    assert at.session_state["active"] == "broken.zip"
    assert any("digits_projector/bookmarks.json, line 2\\: not valid JSON" in w.value for w in at.warning)
    assert "Bookmarks saved with the Projector folder" not in _markdown(at)
