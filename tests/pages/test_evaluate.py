"""AppTest for Evaluate: word-pair scores equal gensim's, the analogy benchmark as a background
job, two spaces side by side, and a broken uploaded benchmark answered with its line number."""

import json
import time

import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath
from streamlit.testing.v1 import AppTest

from app.io.samples import load_glove
from tests.conftest import open_page


def open_evaluate() -> AppTest:
    return open_page("pages/4_Evaluate.py", timeout=120, sample="glove", n_words="20000")


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_evaluate()


def test_word_pair_scores_match_gensim(page):
    table = next(d.value for d in page.dataframe if "Spearman ρ" in d.value.columns)
    assert len(table) == 6
    glove = load_glove(20_000)
    kv = KeyedVectors(glove.dim)
    kv.add_vectors(list(glove.words), glove.vectors)
    pearson, spearman, oov = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    row = table[table["benchmark"] == "WordSim353"].iloc[0]
    assert row["Spearman ρ"] == pytest.approx(spearman.statistic, abs=1e-6)
    assert row["OOV %"] == pytest.approx(round(oov, 1))
    spec = json.loads(page.get("plotly_chart")[-1].proto.spec)
    assert spec["data"][0]["type"] == "scattergl"


def test_analogy_benchmark_runs_in_the_background_for_two_spaces():
    at = open_evaluate()
    at.switch_page("streamlit_app.py")
    at.run()
    at.radio(key="sample_choice").set_value("toy")
    at.button(key="load_sample").click()
    at.run()
    at.switch_page("pages/4_Evaluate.py")
    at.run()
    at.multiselect(key="eval_spaces").set_value(["GloVe 6B 50d (top 20,000)", "Toy royalty set"])
    at.number_input(key="restrict").set_value(20_000)
    at.run()
    at.button(key="run_analogies").click()
    at.run()
    job = next(iter(at.session_state["jobs_analogies"].values()))
    deadline = time.monotonic() + 120
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    at.run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "accuracy" in d.value.columns and "space" in d.value.columns)
    assert table["space"].tolist() == ["GloVe 6B 50d (top 20,000)", "Toy royalty set"]
    assert table["accuracy"].iloc[0] > 0.4 and 0 < table["answered"].iloc[1] < table["answered"].iloc[0]


def test_a_broken_upload_names_the_line(page):
    page.radio(key="analogy_set").set_value("upload")
    page.run()
    page.file_uploader(key="upload_analogy").upload(
        "mine.txt", b": capitals\nathens greece baghdad iraq\noslo norway\n"
    )
    page.run()
    page.button(key="run_analogies").click()
    page.run()
    for _ in range(20):  # the job is tiny: it may be done by the first rerun already
        if page.error:
            break
        time.sleep(0.1)
        page.run()
    assert not page.exception
    assert any("line 3" in e.value for e in page.error), [e.value for e in page.error]
