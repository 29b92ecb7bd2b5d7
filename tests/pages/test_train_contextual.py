"""AppTest for Train's "Words in context": the built-in "bank" sentences encoded with their sense
numbers (when the optional model is installed), and bad sentences answered with their line."""

import pytest

from app.contextual.model import missing_reason
from tests.conftest import open_page
from tests.pages.test_train import wait_for_job


def _open():
    at = open_page("pages/2_Train.py")
    at.radio(key="train_data").set_value("contextual").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.skipif(missing_reason() is not None, reason=f"optional extra missing: {missing_reason()}")
def test_bank_in_context_with_its_senses():
    at = _open()
    assert at.selectbox(key="ctx_word_builtin").value == "bank"
    at.button(key="run_contextual").click().run()
    assert not at.exception, at.exception
    wait_for_job(at, "contextual")
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "Static GloVe (ARI)" in labels
    assert any("“bank” in context" in s.value for s in at.success)


@pytest.mark.skipif(missing_reason() is not None, reason=f"optional extra missing: {missing_reason()}")
def test_bad_sentences_name_the_line():
    at = _open()
    at.segmented_control(key="ctx_source").set_value("mine").run()
    at.text_area(key="ctx_text").input("A fine sentence.\n" + "x" * 600).run()
    assert not at.exception, at.exception
    assert any("line 2" in e.value for e in at.error)


def test_without_the_model_the_section_says_how_to_install_it(monkeypatch):
    if missing_reason() is None:
        pytest.skip("the model is installed here: the install hint is not shown")
    at = _open()
    assert any("pip install" in w.value for w in at.warning)
