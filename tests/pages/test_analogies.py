"""AppTest for Analogies: the classic on GloVe, the exclusion switch, the famous-analogies
check, odd one out, similarity, and bad words answered with messages."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, open_page

HOME = str(ROOT / "streamlit_app.py")


@pytest.fixture
def page() -> AppTest:
    return open_page("pages/3_Analogies.py", sample="glove")


def test_king_minus_man_plus_woman_is_queen_first_try(page):
    assert page.dataframe[0].value["word"].iloc[0] == "queen"
    assert page.metric[0].value == "#1"
    assert any("would be **king**" in i.value for i in page.info)
    spec = json.loads(page.get("plotly_chart")[0].proto.spec)
    assert "queen" in [t["text"][0] for t in spec["data"]]


def test_including_the_question_words_shows_the_honest_answer(page):
    page.toggle(key="exclude").set_value(False)
    page.run()
    table = page.dataframe[0].value
    assert table["word"].iloc[0] == "king" and table["role"].iloc[0] == "b"
    assert page.metric[0].value == "#2"


def test_famous_analogies_check(page):
    page.button(key="check_famous").click()
    page.run()
    assert not page.exception
    assert any("of 20**" in m.value or "question words" in m.value for m in page.markdown)


def test_odd_one_out_and_similarity_tabs(page):
    assert any("**cereal**" in m.value for m in page.markdown)
    assert float(page.metric[-1].value) == pytest.approx(0.784, abs=1e-3)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [("c", "xyzzyq", "'xyzzyq'"), ("a", "", "word a is empty"), ("expected", "qqqzzz", "qqqzzz")],
)
def test_bad_words_get_a_message(page, key, value, expected):
    page.text_input(key=key).set_value(value)
    page.run()
    assert not page.exception
    assert any(expected in e.value for e in page.error)


def test_the_url_carries_the_analogy():
    at = AppTest.from_file(HOME, default_timeout=60)
    at.query_params.update({"sample": "glove", "a": "france", "b": "paris", "c": "japan", "expected": "tokyo"})
    at.switch_page("pages/3_Analogies.py")
    at.run()
    assert at.dataframe[0].value["word"].iloc[0] == "tokyo"
