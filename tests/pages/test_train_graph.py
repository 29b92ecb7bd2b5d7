"""AppTest for Train's Graph and Users-and-items sections: DeepWalk on the karate club with its numbers,
SVD on Davis's southern women with recall@10, a bad edge list answered with its line, settings that
survive a page switch, a running job's progress and Cancel."""

import time

from tests.conftest import open_page
from tests.pages.test_train import wait_for_job


def _train(at, slot):
    at.button(key=f"run_{slot}").click().run()
    assert not at.exception, at.exception
    wait_for_job(at, slot)
    assert not at.exception, at.exception


def test_deepwalk_on_the_karate_club():
    at = open_page("pages/2_Train.py")
    at.radio(key="train_data").set_value("graph").run()
    assert not at.exception, at.exception
    _train(at, "graph")
    labels = [m.label for m in at.metric]
    assert "Link prediction AUC (cosine)" in labels and "Adamic–Adar" in labels
    assert any(label.startswith("Community recovery (ARI") for label in labels)
    assert any("DeepWalk · Zachary's karate club" in s.value for s in at.success)


def test_svd_on_davis():
    at = open_page("pages/2_Train.py")
    at.radio(key="train_data").set_value("interactions").run()
    assert not at.exception, at.exception
    _train(at, "interactions")
    labels = [m.label for m in at.metric]
    assert "Recall@10" in labels and "Most popular (baseline)" in labels


def test_graph_and_interactions_settings_survive_a_page_switch():
    at = open_page("pages/2_Train.py")
    at.radio(key="train_data").set_value("graph").run()
    at.radio(key="graph_choice").set_value("lesmis").run()
    at.radio(key="graph_method").set_value("node2vec").run()
    at.number_input(key="graph_q").set_value(0.5).run()
    at.number_input(key="graph_dims").set_value(16).run()
    at.switch_page("streamlit_app.py")
    at.run()
    at.switch_page("pages/2_Train.py")
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="train_data").value == "graph"
    assert at.radio(key="graph_choice").value == "lesmis"
    assert at.radio(key="graph_method").value == "node2vec"
    assert at.number_input(key="graph_q").value == 0.5
    assert at.number_input(key="graph_dims").value == 16
    assert any("node2vec (p=1, q=0.5) on Les Misérables" in i.value for i in at.info), [i.value for i in at.info]

    at.radio(key="train_data").set_value("interactions").run()
    at.selectbox(key="inter_norm").set_value("log").run()
    at.number_input(key="inter_k").set_value(5).run()
    at.switch_page("streamlit_app.py")
    at.run()
    at.switch_page("pages/2_Train.py")
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="train_data").value == "interactions"
    assert at.selectbox(key="inter_norm").value == "log"
    assert at.number_input(key="inter_k").value == 5


def _upload_edges(at, name: str, content: bytes):
    at.radio(key="train_data").set_value("graph").run()
    at.segmented_control(key="graph_source").set_value("upload").run()
    at.file_uploader(key="upload_edges").upload(name, content, "text/csv").run()
    assert not at.exception, at.exception
    return at


def test_a_bad_edge_list_upload_is_answered_with_its_line_and_its_name_escaped():
    at = _upload_edges(open_page("pages/2_Train.py"), "my*edges*.csv", b"source,target\na,b\nb,c\nlonely\n")
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert "line 4" in errors[0] and "only one column" in errors[0], errors
    assert r"my\*edges\*.csv" in errors[0], errors  # the file name shown literally, not as emphasis
    assert not at.metric and not [b for b in at.button if b.key == "run_graph"], "nothing to train from it"


def test_a_good_edge_list_upload_reports_self_loops_with_the_node_name_escaped():
    at = _upload_edges(open_page("pages/2_Train.py"), "edges.tsv", b"a\tb\nb\tc\nc\ta\n**x**\t**x**\n")
    assert not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Nodes"] == "4"
    notes = [c.value for c in at.caption if "self-loops" in c.value]
    assert notes and r"\*\*x\*\*" in notes[0], notes


def test_a_graph_job_shows_progress_and_can_be_cancelled():
    at = open_page("pages/2_Train.py")
    at.radio(key="train_data").set_value("graph").run()
    at.radio(key="graph_choice").set_value("lesmis").run()
    for key, value in (("graph_walks", 100), ("graph_length", 500), ("graph_epochs", 100)):
        at.number_input(key=key).set_value(value).run()  # far more work than the test will wait for
    at.button(key="run_graph").click().run()
    assert not at.exception, at.exception
    job = next(iter(at.session_state["jobs_graph"].values()))
    assert not job.done
    assert at.get("progress"), "a running job shows its progress"
    cancel = [b for b in at.button if (b.key or "").startswith("cancel_")]
    assert len(cancel) == 1
    cancel[0].click().run()
    assert not at.exception, at.exception
    assert job.cancelled
    said = [i.value for i in at.info]  # the job may have stopped within that run: then it says so there
    deadline = time.monotonic() + 60
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.done, job.message
    at.run()
    said += [i.value for i in at.info]
    assert any("Les Misérables: cancelled" in line for line in said), said
    assert not at.session_state["jobs_graph"]
    assert not any("Trained" in s.value for s in at.success)
