"""AppTest for Explore: the PCA picture (asserted on the plotly spec), neighbours, 3D,
a background t-SNE job, the URL, and bad input answered with messages."""

import base64
import json
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

HOME = str(ROOT / "streamlit_app.py")
EXPLORE = "pages/1_Explore.py"


def open_explore(sample: str = "glove", n: int = 500) -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=90)
    at.run()
    at.radio(key="sample_choice").set_value(sample)
    at.button(key="load_sample").click()
    at.run()
    at.switch_page(EXPLORE)
    at.session_state["n"] = n
    at.run()
    assert not at.exception, at.exception
    return at


def figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no chart on the page"
    return json.loads(charts[0].proto.spec)


def values(field) -> np.ndarray:
    """A plotly array: a plain list, or plotly's typed-array encoding {dtype, bdata, shape}."""
    if isinstance(field, dict) and "bdata" in field:
        array = np.frombuffer(base64.b64decode(field["bdata"]), dtype=np.dtype(field["dtype"]))
        shape = field.get("shape")
        return array.reshape([int(s) for s in str(shape).split(",")]) if shape else array
    return np.asarray(field)


def point_traces(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("mode") == "markers"]


@pytest.fixture(scope="module")
def glove_page() -> AppTest:
    return open_explore()


def test_pca_picture_of_the_first_points(glove_page):
    spec = figure(glove_page)
    traces = point_traces(spec)
    assert {t["type"] for t in traces} == {"scattergl"}
    rows = sorted(int(r) for t in traces for r in values(t["customdata"]).reshape(-1))
    assert rows == list(range(500))
    labels = [t for t in spec["data"] if t.get("mode") == "text"]
    assert labels and labels[0]["text"][:3] == ["the", ",", "."]
    assert any("first 500 of 20,000" in c.value for c in glove_page.caption)
    metrics = {m.label: m.value for m in glove_page.metric}
    assert metrics["Neighbours kept"].endswith("%") and 0 < float(metrics["Trustworthiness"]) <= 1


def test_formula_neighbours_and_their_highlight():
    at = open_explore(n=2000)
    at.text_input(key="query").set_value("king - man + woman")
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert table["word"].iloc[0] == "queen"
    spec = figure(at)
    neighbours = [t for t in spec["data"] if t["name"] == "neighbours"]
    assert neighbours and "prince" in neighbours[0]["text"]


def test_three_dimensions_use_scatter3d():
    at = open_explore(n=300)
    at.radio(key="dims").set_value(3)
    at.run()
    assert not at.exception
    assert {t["type"] for t in point_traces(figure(at))} == {"scatter3d"}


def test_colour_by_metadata_for_digits():
    at = open_explore(sample="digits", n=400)
    assert at.selectbox(key="colour").value == "meta:digit"
    names = {t["name"] for t in point_traces(figure(at))}
    assert names == {str(d) for d in range(10)}


def test_tsne_runs_as_a_background_job_then_draws(monkeypatch):
    from pages._ui import background

    learned: list = []  # the page must not file the run's time: project() does, in the job
    monkeypatch.setattr(background, "_learn_from", lambda *args: learned.append(args))
    at = open_explore(n=120)
    at.radio(key="method").set_value("tsne")
    at.run()
    assert not at.get("plotly_chart")
    assert any("about" in i.value or "under a second" in i.value for i in at.info)  # the estimate is shown
    at.button(key="run_projection").click()
    at.run()
    jobs = at.session_state["jobs_projection"]
    job = next(iter(jobs.values()))
    deadline = time.monotonic() + 60
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    at.run()
    assert not at.exception
    assert sum(len(values(t["x"])) for t in point_traces(figure(at))) == 120
    assert learned == []


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({"query": "king - "}, "ends too early"),
        ({"query": "xyzzyq"}, "'xyzzyq'"),
        ({"mode": "search", "pattern": "[unclosed"}, "not a valid regular expression"),
        ({"mode": "list", "words": "notaword1, notaword2"}, "none of the pasted words"),
        ({"mode": "neighbours", "word": "qqqqzzz"}, "qqqqzzz"),
    ],
)
def test_bad_input_gets_a_message_not_an_exception(setup, expected):
    at = open_explore(n=200)
    for key, value in setup.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]


def test_search_in_the_picture_highlights_and_warns_when_nothing_matches():
    at = open_explore(n=500)
    at.radio(key="find_mode").set_value("regex")
    at.text_input(key="find").set_value("^the$")
    at.run()
    highlight = [t for t in figure(at)["data"] if t["name"].startswith("matches")]
    assert highlight and highlight[0]["text"] == ["the"]
    at.text_input(key="find").set_value("zzzzqqq")
    at.run()
    assert any("No point in the picture matches" in w.value for w in at.warning)


def test_view_settings_go_into_the_url(glove_page):
    params = glove_page.query_params
    assert params["method"] == "pca" and params["sample"] == "glove" and params["n"] == "500"


def test_a_shared_link_reopens_the_view_in_a_fresh_session():
    at = AppTest.from_file(HOME, default_timeout=90)
    at.query_params.update({"sample": "toy", "dims": "3", "query": "king - man + woman", "k": "3"})
    at.switch_page(EXPLORE)
    at.run()
    assert not at.exception
    assert at.session_state["active"] == "Toy royalty set"
    assert at.radio(key="dims").value == 3
    assert at.text_input(key="query").value == "king - man + woman"
    assert at.dataframe[-1].value["word"].iloc[0] == "queen"


def test_bad_values_in_the_url_fall_back_to_defaults():
    at = AppTest.from_file(HOME, default_timeout=90)
    at.query_params.update({"sample": "toy", "dims": "7", "method": "magic", "n": "-5"})
    at.switch_page(EXPLORE)
    at.run()
    assert not at.exception
    assert at.radio(key="dims").value == 2 and at.radio(key="method").value == "pca"


@pytest.mark.parametrize(
    "customdata",
    [[[7]], [{"0": 7}], [7]],
    ids=["list", "typed-array object", "scalar"],
)
def test_selected_rows_reads_every_shape_of_customdata(customdata):
    from pages._ui.explore import selected_rows

    event = {"selection": {"points": [{"customdata": c} for c in customdata] + [{"customdata": None}]}}
    assert selected_rows(event) == [7]


INJECTED = "![t](http://host/x.png)[CLICK](http://host/y)"


@pytest.mark.parametrize("key", ["find", "query"])
def test_user_text_in_a_link_is_shown_as_text_never_as_markdown(key):
    at = AppTest.from_file(HOME, default_timeout=90)
    at.query_params.update({"sample": "toy", key: INJECTED})
    at.switch_page(EXPLORE)
    at.run()
    assert not at.exception
    echoed = [m.value for m in [*at.warning, *at.error, *at.caption] if "CLICK" in m.value]
    assert echoed, "the text should be echoed back"
    for text in echoed:
        assert "![t](" not in text and "[CLICK](" not in text  # every bracket is escaped
        assert r"\!\[t\]" in text and "http://" not in text  # no image, no bare link


def test_the_neighbours_panel_does_not_wait_for_a_projection():
    at = open_explore(n=120)
    at.radio(key="method").set_value("umap")
    at.text_input(key="query").set_value("king - man + woman")
    at.run()
    assert not at.get("plotly_chart")
    assert at.dataframe[-1].value["word"].iloc[0] == "queen"
    assert at.slider(key="labels").value == 100  # the picture's settings are drawn (and kept) meanwhile


def test_find_is_whole_word_by_default_and_marks_words_outside_the_picture():
    at = open_explore(n=200)
    at.text_input(key="find").set_value("king")
    at.run()
    spec = figure(at)
    (found,) = [t for t in spec["data"] if t["name"].startswith("matches")]
    assert found["text"] == ["king"]  # not kingdom, making, taking
    at.text_input(key="find").set_value("queen")
    at.run()
    (found,) = [t for t in figure(at)["data"] if t["name"].startswith("matches")]
    assert found["text"] == ["queen"]
    assert any("Added to the picture" in c.value for c in at.caption)


@pytest.mark.parametrize(("raw", "seeded"), [("False", False), ("True", True), ("maybe", True)])
def test_umap_seeded_switch_comes_from_the_link_and_goes_back_into_it(raw, seeded):
    at = AppTest.from_file(HOME, default_timeout=90)
    at.query_params.update({"sample": "toy", "method": "umap", "seeded": raw})
    at.switch_page(EXPLORE)
    at.run()
    assert not at.exception
    assert at.checkbox(key="seeded").value is seeded
    assert at.query_params["seeded"] == str(seeded)
    assert any("a new random layout each run" in c.value for c in at.caption) is not seeded


def test_neighbour_queries_reuse_the_picture_built_once():
    """The coloured points are built once per projection and view; queries only add their marks."""
    from pages._ui.explore_plotly import BUILDS

    before = BUILDS["plotly base"]
    at = open_explore(n=1234)  # a picture no other test draws, so its base is not cached yet
    assert BUILDS["plotly base"] == before + 1
    for query in ["frog", "king - man + woman", "nosuchwordxyz", "paris"]:
        at.text_input(key="query").set_value(query)
        at.run()
        assert not at.exception, at.exception
        marked = [t for t in figure(at)["data"] if t["name"] == "neighbours"]
        assert bool(marked) == (query != "nosuchwordxyz")
    assert BUILDS["plotly base"] == before + 1
    at.selectbox(key="colour").set_value("rank")
    at.run()
    assert BUILDS["plotly base"] == before + 2  # a new colouring is a new base, built once
