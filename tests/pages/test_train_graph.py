"""AppTest for Train's Graph and Users-and-items sections: DeepWalk on the karate club with its numbers,
SVD on Davis's southern women with recall@10, a bad edge list answered with its line."""

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
