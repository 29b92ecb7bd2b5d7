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


def test_famous_analogies_say_which_were_skipped_and_why(page):
    page.button(key="check_famous").click()
    page.run()
    shown = len(next(d.value for d in page.dataframe if "analogy" in d.value.columns))
    skipped = next(c.value for c in page.caption if "skipped" in c.value)
    assert skipped.startswith(f"{20 - shown} of the 20 were skipped because this space does not know")
    assert skipped.count("homemaker") == 4  # two analogies, each with its missing word named


def test_a_typo_in_the_expected_answer_keeps_the_answers(page):
    page.text_input(key="expected").set_value("qeen")
    page.run()
    assert not page.exception
    assert page.dataframe[0].value["word"].iloc[0] == "queen"
    assert any("man : king :: woman : queen" in m.value for m in page.markdown)
    assert any("'qeen' is not in" in e.value and "do not depend on it" in e.value for e in page.error)
    assert page.get("plotly_chart")


@pytest.mark.parametrize(
    ("key", "typed", "escaped"),
    [
        ("c", "__import__('os')", r"\_\_import\_\_"),
        ("expected", "![x](http://host/y.png)", r"\!\[x\]"),
        ("b", "<img src=x>", r"\<img src=x\>"),
    ],
)
def test_typed_words_come_back_as_plain_text(page, key, typed, escaped):
    """Escaped by pages/_ui/text.plain: no bold, no image fetched, no HTML element."""
    page.text_input(key=key).set_value(typed)
    page.run()
    assert not page.exception
    shown = [e.value for e in page.error]
    assert any(escaped in value for value in shown), shown
    assert not any(typed in value for value in shown + [m.value for m in page.markdown])


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
