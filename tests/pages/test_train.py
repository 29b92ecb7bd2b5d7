"""AppTest for Train: a built-in corpus, its statistics, one epoch of word2vec, the result summary
kept in the session and the workspace; bad corpora and settings answered with messages; settings
that survive a page switch; a run trained by another session only offered, never taken."""

import json
import time

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, make_space, open_page


def open_train() -> AppTest:
    return open_page("pages/2_Train.py")


def wait_for_job(at: AppTest, slot: str = "train", seconds: float = 120) -> None:
    """Wait for the page's job to end, then rerun the page; fails when it never ends."""
    jobs = at.session_state[f"jobs_{slot}"]
    if not jobs:  # it finished within the run that started it
        return
    job = next(iter(jobs.values()))
    deadline = time.monotonic() + seconds
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.done, f"the {slot} job did not finish within {seconds} s: {job.message}"
    at.run()
    assert not at.exception, at.exception


def test_corpus_statistics_before_training():
    at = open_train()
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Documents"].replace(",", "")) > 1_000
    assert int(metrics["Vocabulary"].replace(",", "")) > 100
    zipf = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert zipf["layout"]["xaxis"]["type"] == "log"
    assert any("lower-case" in c.value for c in at.caption)


def test_train_word2vec_one_epoch_and_see_the_result(monkeypatch):
    from pages._ui import background

    learned: list = []  # the run's time goes into this machine's timings, once
    monkeypatch.setattr(background, "_learn_from", lambda *args: learned.append(args))
    at = open_train()
    at.number_input(key="train_epochs").set_value(1)
    at.run()
    at.button(key="run_train").click()
    at.run()
    wait_for_job(at)
    assert any("Trained" in s.value for s in at.success), [s.value for s in at.success]
    active = at.session_state["active"]
    space = at.session_state["spaces"][active]
    assert "king" in space and space.dim == 50
    assert any("Download the reproducibility record" in b.label for b in at.get("download_button"))
    assert len(learned) == 1


def test_stop_words_only_corpus_says_no_tokens_left():
    at = open_train()
    at.checkbox(key="pre_stop").check()
    at.number_input(key="pre_min_len").set_value(15)
    at.run()
    assert not at.exception
    assert at.error, "a corpus with no tokens left must say so"
    assert "token" in at.error[0].value


def test_min_count_above_every_word_is_explained_after_training():
    at = open_train()
    at.radio(key="corpus_choice").set_value("tiny")
    at.number_input(key="train_min_count").set_value(1000)
    at.number_input(key="train_epochs").set_value(1)
    at.run()
    at.button(key="run_train").click()
    at.run()
    wait_for_job(at)
    assert at.error and "min_count" in at.error[0].value, [e.value for e in at.error]


def test_doc2vec_documents_become_points_and_new_text_is_inferred():
    at = open_train()
    at.selectbox(key="train_model").set_value("doc2vec")
    at.run()
    at.number_input(key="train_epochs").set_value(2)
    at.run()
    at.button(key="run_train").click()
    at.run()
    wait_for_job(at)
    space = at.session_state["spaces"][at.session_state["active"]]
    assert len(space) == 5_000 and {"document", "first_words"} <= set(space.metadata.columns)
    assert any("New text into the space" in m.value for m in at.markdown)
    nearest = at.dataframe[-1].value
    assert len(nearest) == 5


def train_one_epoch(at: AppTest) -> None:
    at.number_input(key="train_epochs").set_value(1)
    at.run()
    at.button(key="run_train").click()
    at.run()
    wait_for_job(at)


def test_a_run_another_session_trained_is_offered_and_only_used_when_train_is_pressed():
    teacher = open_train()
    train_one_epoch(teacher)
    assert any("Trained" in s.value for s in teacher.success)

    student = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    mine = make_space(["a", "b", "c"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]).renamed("mine")
    student.session_state["spaces"] = {"mine": mine}
    student.session_state["active"] = "mine"
    student.switch_page("pages/2_Train.py")
    student.run()
    student.number_input(key="train_epochs").set_value(1)  # the teacher's exact settings
    student.run()
    assert not student.exception, student.exception
    assert not any("Trained" in s.value for s in student.success), [s.value for s in student.success]
    assert student.session_state["active"] == "mine" and list(student.session_state["spaces"]) == ["mine"]
    assert any("already trained on the server" in i.value for i in student.info), [i.value for i in student.info]

    student.button(key="run_train").click()
    student.run()
    assert not student.exception, student.exception
    assert any("Trained" in s.value for s in student.success), [s.value for s in student.success]
    assert student.session_state["active"] != "mine" and len(student.session_state["spaces"]) == 2


def test_settings_survive_a_page_switch_and_fasttext_is_written_so():
    at = open_train()
    assert at.checkbox(key="train_deterministic").value  # the classroom corpus opens deterministic
    at.selectbox(key="train_model").set_value("fasttext")
    at.run()
    at.number_input(key="train_dims").set_value(30)
    at.run()
    at.switch_page("streamlit_app.py")
    at.run()
    at.switch_page("pages/2_Train.py")
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="train_model").value == "fasttext"
    assert at.number_input(key="train_dims").value == 30
    assert any("Training fastText on" in i.value for i in at.info), [i.value for i in at.info]
