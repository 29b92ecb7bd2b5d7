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


def test_search_range_follows_the_space_size(page):
    restrict = page.number_input(key="restrict")
    assert (restrict.value, restrict.max) == (20_000, 20_000)
    assert not any("300000" in c.value or "300,000 words" in c.value for c in page.caption)


def test_search_range_shrinks_when_a_smaller_space_is_chosen_alone():
    at = open_evaluate()
    at.switch_page("streamlit_app.py")
    at.run()
    at.radio(key="sample_choice").set_value("toy")
    at.button(key="load_sample").click()
    at.run()
    at.switch_page("pages/4_Evaluate.py")
    at.run()
    at.multiselect(key="eval_spaces").set_value(["Toy royalty set"])
    at.run()
    assert not at.exception and not at.warning
    restrict = at.number_input(key="restrict")
    assert restrict.value == restrict.max < 1_000


def test_each_word_pair_result_says_what_it_means(page):
    captions = [c.value for c in page.caption]
    assert any(c.startswith("Spearman ρ: how well the model's ranking") for c in captions)
    closer = next(c for c in captions if c.startswith("On "))
    assert "orders the" in closer and "pairs it knows" in closer and "Spearman ρ 0." in closer


def test_an_uploaded_file_name_is_shown_as_plain_text():
    at = open_evaluate()
    name = "![x](http://host/y.png).tsv"
    at.file_uploader(key="upload_word-pair").upload(name, b"cat\tdog\t1\nmug\tcup\tlots\n")
    at.run()
    assert not at.exception
    error = next(e.value for e in at.error if "line 2" in e.value)
    assert r"\!\[x\]" in error and name not in error  # escaped: no image is fetched, no link drawn


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
    meanings = [c.value for c in at.caption if "the best answer was exactly the expected word" in c.value]
    assert len(meanings) == 2 and "Toy royalty set" in meanings[1]
    assert "were skipped because a word is not among its first" in meanings[1]


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
