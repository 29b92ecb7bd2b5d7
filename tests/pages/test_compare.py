"""AppTest for Compare: Lee's fastText vectors against a noisy copy (and a copy of fewer dimensions):
the overlap histogram, the per-word table, a picked word's two neighbourhoods, the dimension
message with its PCA button, and bad words and formulas answered with messages."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.compare.alignment import reduce_dimensions
from app.space import EmbeddingSpace
from tests.conftest import open_page

PAGE = "pages/6_Compare.py"


def noisy_copy(space: EmbeddingSpace, name: str) -> EmbeddingSpace:
    rng = np.random.default_rng(0)
    vectors = space.vectors + rng.normal(scale=0.3 * float(space.vectors.std()), size=space.vectors.shape)
    return EmbeddingSpace(name, space.words, vectors.astype(np.float32), source={"shared": True})


def with_second(second) -> AppTest:
    """The page with Lee's vectors loaded from the URL and ``second(lee)`` added to the session."""
    at = open_page(PAGE, sample="lee")
    spaces = at.session_state["spaces"]
    lee = next(iter(spaces.values()))
    copy = second(lee)
    spaces[copy.name] = copy
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def page() -> AppTest:
    return with_second(lambda lee: noisy_copy(lee, "Lee, *noisy* [copy](http://example.com)"))


def test_one_space_says_how_to_get_a_second():
    at = open_page(PAGE, sample="lee")
    assert any("needs two spaces" in info.value and "Bias" in info.value for info in at.info)
    assert at.button(key="cmp_add_debiased")


def test_histogram_and_counts(page):
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Shared words compared"] == "1,762"
    assert 0.0 < float(metrics["Mean neighbour overlap"]) < 1.0
    bars = [json.loads(c.proto.spec) for c in page.get("plotly_chart")]
    histogram = next(c for c in bars if c["data"][0]["type"] == "bar")
    assert len(histogram["data"][0]["x"]) == 11 and sum(histogram["data"][0]["y"]) == 1762
    assert any("nearest neighbours" in m.value and "keeps" in m.value for m in page.markdown)


def test_word_table_and_a_picked_words_neighbours(page):
    table = page.dataframe[0].value
    assert {"word", "rank", "overlap", "displacement"} <= set(table.columns) and len(table) == 1762
    page.text_input(key="cmp_word").set_value("government").run()
    assert not page.exception and not page.error
    assert any("government" in m.value and "keeps" in m.value for m in page.markdown)
    sides = next(d.value for d in page.dataframe if "mark (first)" in d.value.columns)
    assert len(sides) == 10 and set(sides["mark (first)"]) <= {"in both", "lost"}


def test_space_names_are_echoed_as_plain_text(page):
    captions = " ".join(c.value for c in page.caption)
    assert "\\*noisy\\* \\[copy\\]" in captions and "http://" not in captions


def test_linked_pictures_and_scores(page):
    charts = [json.loads(c.proto.spec) for c in page.get("plotly_chart")]
    pictures = [c for c in charts if c["data"][0]["type"] == "scattergl"]
    assert pictures and len(pictures[0]["data"][0]["text"]) >= 300
    ringed = [t for t in pictures[0]["data"] if t.get("marker", {}).get("size") == 14]
    assert len(ringed) == 2  # the picked word, ringed in both pictures
    scores = next(d.value for d in page.dataframe if "benchmark" in d.value.columns)
    assert list(scores["benchmark"]) == ["WordSim353", "SimLex-999", "MEN"]


def test_a_private_pair_says_the_link_would_not_open(page):
    assert any("would not open it elsewhere" in c.value for c in page.caption)
    assert "a" not in page.query_params


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("cmp_word", "xyzzyq", "is not among the words the two spaces share"),
        ("cmp_formula", "government -", "ends too early"),
        ("cmp_formula", "xyzzyq + government", "xyzzyq"),
    ],
)
def test_bad_words_and_formulas_get_a_message(page, key, value, expected):
    page.text_input(key=key).set_value(value).run()
    assert not page.exception
    assert any(expected in e.value.replace("\\", "") for e in page.error), [e.value for e in page.error]
    page.text_input(key=key).set_value("government").run()


def test_different_dimensions_explained_and_reduced_on_request():
    at = with_second(lambda lee: reduce_dimensions(lee, 5).renamed("Lee in 5 dimensions"))
    assert any("needs the same number of dimensions" in w.value for w in at.warning)
    assert float(next(m.value for m in at.metric if m.label == "Mean neighbour overlap")) > 0
    at.button(key="cmp_reduce_button").click().run()
    assert not at.exception
    assert any("with PCA" in c.value for c in at.caption)
    assert "displacement" in at.dataframe[0].value.columns
