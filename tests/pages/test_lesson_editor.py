"""AppTest of the lesson editor on the Teach page: add steps, reorder, a bad upload names the line,
the download is Lesson.to_markdown, saving to the workspace; and the sidebar's "Add this view"."""

import gc

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app.errors import InputError
from app.lessons import store
from app.lessons.format import parse_lesson
from pages._ui import lesson_editor
from tests.conftest import ROOT

TEACH = "pages/8_Teach.py"


def _teach() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.switch_page(TEACH)
    at.run()
    assert not at.exception, at.exception
    return at


def _titles(at: AppTest) -> list[str]:
    return [at.session_state[f"lesson_step_{step_id}_title"] for step_id in at.session_state[lesson_editor.ORDER]]


def _download(at: AppTest) -> str:
    """The bytes the download button serves, read from AppTest's in-memory media storage."""
    button = next(el for el in at.get("download_button") if el.proto.label == "Download the lesson file")
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    storages = [obj for obj in gc.get_objects() if isinstance(obj, MemoryMediaFileStorage)]
    for storage in storages:
        try:
            return storage.get_file(file_id).content.decode()
        except Exception:
            continue
    raise AssertionError("the download's file is not in the media storage")


def test_add_two_steps_reorder_and_download_the_lesson_file():
    at = _teach()
    at.text_input(key=lesson_editor.TITLE).set_value("Cosine by hand").run()
    at.button(key="lesson_add_step").click().run()
    at.button(key="lesson_add_step").click().run()
    ids = list(at.session_state[lesson_editor.ORDER])
    assert len(ids) == 3
    at.text_input(key=f"lesson_step_{ids[1]}_title").set_value("Neighbours").run()
    at.text_input(key=f"lesson_step_{ids[1]}_ask").set_value("Closer to king?").run()
    at.text_input(key=f"lesson_step_{ids[1]}_guess").set_value("queen | apple").run()
    at.text_input(key=f"lesson_step_{ids[1]}_answer").set_value("queen").run()
    at.text_input(key=f"lesson_step_{ids[2]}_show").set_value("view Explore?sample=glove&query=king").run()
    at.button(key=f"lesson_up_{ids[1]}").click().run()
    assert _titles(at) == ["Neighbours", "First step", "Step 3"]
    at.button(key=f"lesson_delete_{ids[0]}").click().run()
    assert _titles(at) == ["Neighbours", "Step 3"]
    assert not at.exception and not at.error
    expected = parse_lesson(store.read_draft(_workspace_path(at)).to_markdown())
    assert [step.title for step in expected.steps] == ["Neighbours", "Step 3"]
    assert expected.steps[0].guesses == ("queen", "apple")
    assert expected.steps[1].show.target == "Explore?sample=glove&query=king"
    assert _download(at) == expected.to_markdown()


def _workspace_path(at: AppTest):
    from app.store.keys import WorkspaceKeys
    from pages._ui import workspace

    token = WorkspaceKeys(workspace.root()).token_of(at.session_state[workspace.KEY])
    return workspace.root() / token


def test_save_to_the_workspace_lists_the_lesson():
    at = _teach()
    at.text_input(key=lesson_editor.TITLE).set_value("Saved one").run()
    at.button(key="lesson_save").click().run()
    assert not at.exception
    saved = store.workspace_lessons(_workspace_path(at)).list()
    assert [entry.lesson.title for entry in saved] == ["Saved one"]
    assert any("Saved one" in md.value for md in at.markdown)


def test_an_invalid_step_says_which_step():
    at = _teach()
    ids = at.session_state[lesson_editor.ORDER]
    at.text_input(key=f"lesson_step_{ids[0]}_guess").set_value("only one").run()
    assert any("Step 1" in error.value and "guess" in error.value for error in at.error)


def test_a_bad_upload_names_the_line():
    with pytest.raises(InputError, match=r"bad\.md, line 6: expected 'show: view"):
        lesson_editor.read_upload("bad.md", b"---\ntitle: T\nlevel: beginner\n---\n## S\nshow: picture x\n")
