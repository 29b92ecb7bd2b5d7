"""AppTest for Home: samples, uploads, bad uploads, and the active-space picker."""

import pickle

import pytest
from streamlit.testing.v1 import AppTest

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
