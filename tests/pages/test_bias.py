"""AppTest for Bias: the gender direction on GloVe, professions on it, WEAT next to the paper,
RIPA/DirectBias, hard debiasing with its check, and bad input answered with messages."""

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_page


def open_bias(n_words: int = 100_000) -> AppTest:
    return open_page("pages/5_Bias.py", sample="glove", n_words=str(n_words))


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_bias()


def test_direction_and_professions_chart(page):
    assert any("woman - man" in c.value for c in page.caption)
    charts = [json.loads(c.proto.spec) for c in page.get("plotly_chart")]
    bars = [c for c in charts if c["data"][0]["type"] == "bar" and c["data"][0].get("orientation") == "h"]
    assert bars and "nurse" in bars[0]["data"][0]["y"]


def test_weat_1_next_to_the_paper(page):
    metrics = {m.label: m.value for m in page.metric}
    assert float(metrics["Effect size (d)"]) > 1.0
    assert metrics["p-value"].startswith("<") or float(metrics["p-value"]) < 0.01
    assert metrics["People (IAT) d"] == "1.35"


def test_all_ten_tests_table(page):
    page.button(key="weat_all").click()
    page.run()
    table = next(d.value for d in page.table if "people (IAT) d" in d.value.columns)  # st.table: notes wrap
    ran = table["effect size d"] != "not run"  # shown as text: no raw "None" in the table
    assert len(table) == 10 and ran.sum() >= 8


def test_hard_debias_adds_a_space_and_reports_the_check():
    at = open_bias(n_words=20_000)
    at.button(key="run_debias").click()
    at.run()
    job = next(iter(at.session_state["jobs_debias"].values()))
    deadline = time.monotonic() + 120
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    at.run()
    assert not at.exception, at.exception
    names = list(at.session_state["spaces"])
    assert any("hard-debiased" in n for n in names)
    assert at.session_state["active"] == "GloVe 6B 50d (top 20,000)"
    summary = at.dataframe[-1].value
    direct = summary[summary["measure"].str.startswith("DirectBias")].iloc[0]
    assert direct["after"] < 1e-3 < direct["before"]
    # the report counts only words debiasing neutralised (before, john and mary, never neutralised,
    # counted too and lifted k-means to 0.59 on 20k words; it is 0.51 without them): the neighbours keep the bias
    neighbours = summary[summary["measure"].str.startswith("same-side share")].iloc[0]
    assert neighbours["after"] > 0.6
    words = summary[summary["measure"].str.contains("words placed on the direction")].iloc[0]
    assert words["after"] < 1e-3 < words["before"]


def test_small_glove_weat_explains_and_offers_a_bigger_sample():
    at = open_bias(n_words=20_000)
    # explained first (not a red error), with the one-click fix
    assert not at.error
    assert any("more than half of set X (Flowers)" in i.value for i in at.info), [i.value for i in at.info]
    at.button(key="bigger_glove").click()
    at.run()
    assert at.session_state["active"] == "GloVe 6B 50d (top 100,000)"
    assert not at.error


@pytest.mark.parametrize(
    ("source", "key", "value", "expected"),
    [
        ("pair", "pair_a", "xyzzyq", "xyzzyq"),
        ("formula", "bias_formula", "woman -", "ends too early"),
        ("formula", "bias_formula", "woman - woman", "cancels out"),
    ],
)
def test_bad_direction_input_gets_a_message(source, key, value, expected):
    at = open_bias(n_words=20_000)
    at.radio(key="bias_source").set_value(source)
    at.run()
    at.text_input(key=key).set_value(value)
    at.run()
    assert not at.exception
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]


def test_user_text_is_shown_not_obeyed_and_a_formula_direction_equalises_nothing():
    at = open_bias(n_words=20_000)
    at.radio(key="bias_source").set_value("formula")
    at.run()
    at.text_input(key="bias_formula").set_value("__import__('os') - ![t](http://host/x.png)")
    at.run()
    assert not at.exception
    message = next(e.value for e in at.error if "Could not build the direction" in e.value)
    assert "\\_\\_import\\_\\_" in message and "!\\[t\\]" in message and "http://" not in message  # no bare link
    at.text_input(key="bias_formula").set_value("rich - poor")
    at.run()
    assert any("nothing is equalised" in c.value for c in at.caption)


def test_a_large_own_weat_runs_as_a_job():
    at = open_bias(n_words=20_000)
    at.radio(key="weat_mode").set_value("own")
    at.run()
    words = list(at.session_state["spaces"]["GloVe 6B 50d (top 20,000)"].words[1000:1060])
    at.text_area(key="weat_X").set_value(", ".join(words[:30]))
    at.text_area(key="weat_Y").set_value(", ".join(words[30:]))
    at.number_input(key="permutations").set_value(100_000)
    at.run()
    assert "Effect size (d)" not in [m.label for m in at.metric]  # not run in the script thread
    at.button(key="run_weat").click()
    at.run()
    job = next(iter(at.session_state["jobs_weat"].values()))
    deadline = time.monotonic() + 120
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.done, "the WEAT job never finished"
    at.run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert "Effect size (d)" in metrics and metrics["Permutation test"] == "sampled"
