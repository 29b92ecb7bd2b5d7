"""AppTest for Home: samples, uploads, bad uploads, and the active-space picker."""

import logging
import pickle
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.space import EmbeddingSpace
from pages._ui import workspace
from tests.conftest import ROOT, SAMPLE_DATA

HOME = str(ROOT / "streamlit_app.py")


@pytest.fixture
def home() -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def load_sample(at: AppTest, key: str) -> None:
    at.radio(key="sample_choice").set_value(key)
    at.button(key="load_sample").click()
    at.run()


def upload(at: AppTest, name: str, data: bytes, metadata: tuple[str, bytes] | None = None) -> None:
    at.file_uploader(key="upload_vectors").upload(name, data)
    if metadata:
        at.file_uploader(key="upload_metadata").upload(*metadata)
    at.run()
    at.button(key="load_file").click()
    at.run()


def test_first_visit_explains_what_to_do(home):
    assert any("Load a sample" in info.value for info in home.info)
    assert home.button(key="load_file").disabled


def test_glove_sample_loads_with_summary(home):
    load_sample(home, "glove")
    assert not home.exception
    metrics = metric_values(home)
    assert metrics["Vectors"] == "20,000" and metrics["Dimensions"] == "50"
    assert home.session_state["active"] == "GloVe 6B 50d (top 20,000)"
    table = home.dataframe[0].value
    assert table["word"].tolist()[:3] == ["the", ",", "."]
    assert len(home.get("plotly_chart")) == 1


def test_upload_a_vector_file(home):
    upload(home, "toy.w2v.txt", (SAMPLE_DATA / "toy.w2v.txt").read_bytes())
    assert not home.exception and not home.error
    assert metric_values(home)["Vectors"] == "12"
    assert home.session_state["active"] == "toy.w2v.txt"


def test_upload_vectors_with_metadata(home):
    upload(
        home,
        "toy_vectors.tsv",
        (SAMPLE_DATA / "toy_vectors.tsv").read_bytes(),
        metadata=("toy_metadata.tsv", (SAMPLE_DATA / "toy_metadata.tsv").read_bytes()),
    )
    assert not home.exception and not home.error
    assert "king" in home.dataframe[0].value["word"].tolist()
    assert "group" in home.dataframe[0].value.columns


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("broken.txt", b"king 1 2\nqueen 1 x\n", "line 2"),
        ("model.pkl", pickle.dumps({"a": 1}), "refused"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_upload_shows_an_error_not_an_exception(home, name, data, expected):
    upload(home, name, data)
    assert not home.exception
    assert len(home.error) == 1 and expected in home.error[0].value
    assert home.session_state["spaces"] == {}


def test_several_spaces_and_the_sidebar_picker(home):
    load_sample(home, "toy")
    load_sample(home, "digits")
    picker = home.sidebar.selectbox[0]
    assert picker.options == ["Toy royalty set", "Digits (8x8 images)"]
    assert picker.value == "Digits (8x8 images)"
    picker.set_value("Toy royalty set")
    home.run()
    assert home.session_state["active"] == "Toy royalty set"
    assert metric_values(home)["Vectors"] == "12"


# --- links, reloads, and user text shown as text ---------------------------------------------------------
def test_a_file_name_with_markup_is_shown_as_text(home):
    upload(home, "<img src=x>.txt", (SAMPLE_DATA / "toy.w2v.txt").read_bytes())
    assert not home.exception and not home.error
    escaped = "\\<img src=x\\>.txt"
    assert home.subheader[0].value == f"Active space: {escaped}"
    assert home.button(key="save_active").label == f"Save {escaped} to my workspace"
    assert any(m.value.startswith(f"**{escaped}**") for m in home.markdown)  # saved automatically, listed
    shown = [m.value for m in [*home.markdown, *home.caption, *home.subheader, *home.sidebar.caption]]
    assert not any(re.search(r"(?<!\\)<img", value) for value in shown), shown


def test_the_address_names_shareable_data_and_never_the_workspace(home):
    load_sample(home, "toy")
    assert home.query_params["sample"] == "toy" and "ws" not in home.query_params
    upload(home, "mine.txt", (SAMPLE_DATA / "toy.w2v.txt").read_bytes())
    assert "sample" not in home.query_params and "ws" not in home.query_params
    assert any("private to this browser" in c.value for c in home.sidebar.caption)


def test_a_reload_brings_back_the_spaces_and_the_active_one_in_that_browser_only(home, monkeypatch):
    load_sample(home, "toy")
    upload(home, "mine.txt", (SAMPLE_DATA / "toy.w2v.txt").read_bytes())
    home.sidebar.selectbox[0].set_value("Toy royalty set")
    home.run()
    key = home.session_state[workspace.KEY]

    monkeypatch.setattr(workspace, "_cookie", lambda: key)  # the same browser, after F5
    again = AppTest.from_file(HOME, default_timeout=60)
    again.run()
    assert not again.exception
    assert list(again.session_state["spaces"]) == ["Toy royalty set", "mine.txt"]
    assert again.session_state["active"] == "Toy royalty set"

    monkeypatch.setattr(workspace, "_cookie", lambda: None)  # another browser
    other = AppTest.from_file(HOME, default_timeout=60)
    other.run()
    assert other.session_state["spaces"] == {} if "spaces" in other.session_state else True
    assert other.session_state[workspace.KEY] != key
    assert not any("mine.txt" in m.value for m in other.markdown)


def test_a_forged_key_in_a_cookie_is_never_adopted(monkeypatch):
    forged = "A" * 22 + "." + "B" * 22
    monkeypatch.setattr(workspace, "_cookie", lambda: forged)
    at = AppTest.from_file(HOME, default_timeout=60)
    at.run()
    assert at.session_state[workspace.KEY] != forged


def test_the_workspace_link_adopts_only_keys_the_server_issued(home):
    load_sample(home, "toy")
    home.button(key="save_active").click()
    home.run()
    key = home.session_state[workspace.KEY]

    forged = AppTest.from_file(HOME, default_timeout=60)
    forged.query_params["ws"] = "A" * 22  # an old-style key, or one someone chose
    forged.run()
    assert any("not made by this server" in w.value for w in forged.warning)
    assert forged.session_state[workspace.KEY] != "A" * 22 and "ws" not in forged.query_params

    adopted = AppTest.from_file(HOME, default_timeout=60)
    adopted.query_params["ws"] = key
    adopted.run()
    assert not adopted.exception
    assert adopted.session_state[workspace.KEY] == key and "ws" not in adopted.query_params
    assert any(m.value.startswith("**Toy royalty set**") for m in adopted.markdown)
    assert adopted.session_state["active"] == "Toy royalty set"  # its session came along


def test_a_published_space_opens_from_a_view_link(tmp_path):
    shelf = workspace.shelf()
    entry_id = shelf.publish(EmbeddingSpace("class set", ["a", "b", "c"], np.eye(3, dtype=np.float32)), by="test")
    at = AppTest.from_file(HOME, default_timeout=60)
    at.query_params["space"] = entry_id
    at.run()
    assert not at.exception
    assert at.session_state["active"] == "class set" and at.query_params["space"] == entry_id
    assert not any("private to this browser" in c.value for c in at.sidebar.caption)
    shelf.unpublish(entry_id)


@pytest.fixture
def teacher_code(monkeypatch):
    monkeypatch.setenv("EMBEDDING_LAB_TEACHER_CODE", "right-code")
    workspace.teacher_attempts.clear()
    yield "right-code"
    workspace.teacher_attempts.clear()


def test_the_teacher_code_is_rate_limited_and_lockouts_are_logged(teacher_code, home, caplog):
    with caplog.at_level(logging.WARNING, logger="app.store.attempts"):
        for attempt in range(5):
            home.text_input(key="teacher_code").set_value(f"guess {attempt}")
            home.run()
            assert any("not the teacher code" in e.value for e in home.error)
    assert any("wrong tries of the teacher code" in r.message for r in caplog.records)
    home.text_input(key="teacher_code").set_value(teacher_code)  # even the right code waits now
    home.run()
    assert any("Too many wrong codes" in e.value for e in home.error)
    assert "teacher_unlocked" not in home.session_state
    assert home.text_input(key="teacher_code").value == ""  # each try clears the box


def test_the_right_teacher_code_unlocks_publishing(teacher_code, home):
    load_sample(home, "toy")
    home.text_input(key="teacher_code").set_value(teacher_code)
    home.run()
    assert home.session_state["teacher_unlocked"]
    assert home.button(key="publish_active").label == "Publish Toy royalty set to the class"


def test_a_typed_code_is_checked_once_not_on_every_rerun(teacher_code, home):
    home.text_input(key="teacher_code").set_value("wrong")
    home.run()
    for _ in range(6):
        home.run()  # reruns of the page (other widgets) are not new guesses
    assert not any("Too many" in e.value for e in home.error)


def projector_members() -> list[tuple[str, bytes, str]]:
    """The digits Projector folder's files, as the uploader's (name, bytes, type) tuples."""
    import zipfile

    with zipfile.ZipFile(SAMPLE_DATA / "digits_projector.zip") as archive:
        return [
            (info.filename.rsplit("/", 1)[-1], archive.read(info), "application/octet-stream")
            for info in archive.infolist()
            if not info.is_dir()
        ]


def upload_folder(at: AppTest, files: list[tuple[str, bytes, str]]) -> None:
    at.file_uploader(key="upload_projector_files").set_value(files)
    at.run()
    at.button(key="load_projector_files").click()
    at.run()


def test_a_projector_folders_files_uploaded_together_load(home):
    assert home.button(key="load_projector_files").disabled
    upload_folder(home, projector_members())
    assert not home.exception and not home.error
    assert home.session_state["active"] == "Digits (100, 8x8 pixels)"
    assert metric_values(home)["Vectors"] == "100"
    shown = [element.value for element in [*home.caption, *home.markdown]]
    assert any("100 points are images" in text for text in shown)


def test_the_folders_files_without_the_config_are_refused_by_name(home):
    files = [f for f in projector_members() if f[0] != "projector_config.json"]
    files[0] = ("<b>*x*</b>.bytes", files[0][1], files[0][2])
    upload_folder(home, files)
    assert not home.exception
    assert len(home.error) == 1
    message = home.error[0].value
    assert "upload the folder's projector_config.json with the files it names" in message
    assert "\\<b\\>\\*x\\*\\</b\\>.bytes" in message  # escaped: shown literally, not as HTML or emphasis
    assert home.session_state["spaces"] == {}


def test_a_folder_past_the_upload_limit_is_refused(home, monkeypatch):
    monkeypatch.setenv("EMBEDDING_LAB_MAX_UPLOAD_MB", "0.01")
    upload_folder(home, projector_members())
    assert not home.exception
    assert len(home.error) == 1 and "The uploaded folder is" in home.error[0].value
    assert home.session_state["spaces"] == {}
