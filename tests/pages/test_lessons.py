"""AppTest for Lessons: the list, a lesson walked with Next, a shared step link, questions, and bad files."""

import pytest
from streamlit.testing.v1 import AppTest

from app.lessons.builtin import builtin_lesson
from tests.conftest import open_page


def walk(at: AppTest, key: str) -> int:
    """Start lesson ``key`` from the list and press Next through every step; the steps seen."""
    at.button(key=f"start_{key}").click().run()
    steps = len(builtin_lesson(key).steps)
    seen = 1
    assert f"Step 1 of {steps}" in at.markdown[0].value
    while seen < steps:
        at.button(key="lesson_next").click().run()
        assert not at.exception, at.exception
        seen += 1
        assert f"Step {seen} of {steps}" in at.markdown[0].value
        assert str(at.query_params["step"]).strip("[]'") == str(seen)
    return seen


@pytest.mark.parametrize("key", ["embedding", "near", "counting"])
def test_next_through_every_step(key):
    at = open_page("pages/7_Lessons.py", timeout=120)
    assert walk(at, key) == len(builtin_lesson(key).steps)
    assert not at.error, [e.value for e in at.error]


def test_a_shared_link_opens_the_step_and_previous_goes_back():
    at = open_page("pages/7_Lessons.py", lesson="near", step="3")
    assert "Step 3 of 5" in at.markdown[0].value
    at.button(key="lesson_prev").click().run()
    assert "Step 2 of 5" in at.markdown[0].value
    at.button(key="lesson_close").click().run()
    assert any("Near means similar" in m.value for m in at.markdown)


def test_guess_first_then_the_answer():
    at = open_page("pages/7_Lessons.py", lesson="near", step="1")
    assert not at.success
    at.radio[0].set_value("close to 1").run()
    at.button(key="commit_guess").click().run()
    assert "close to 1" in at.info[0].value
    assert "0.78" in at.success[0].value


def test_a_bad_lesson_file_names_the_line():
    at = open_page("pages/7_Lessons.py")
    at.session_state["lesson_upload"] = None
    from app.errors import InputError
    from app.lessons.format import parse_lesson

    with pytest.raises(InputError, match="line 3"):
        parse_lesson("---\ntitle: x\nlevel beginner\n---\n## a\n")


def test_a_step_that_cannot_show_says_so_and_the_lesson_goes_on(monkeypatch):
    from app.lessons import builtin
    from app.lessons.format import parse_lesson

    broken = parse_lesson(
        "---\ntitle: Broken\nlevel: beginner\n---\n## One\nshow: widget nosuch x\n"
        "## Two\nshow: view Nowhere?sample=glove\n## Three\nshow: widget neighbours zzzzqqq\n"
        "## Four\nshow: widget neighbours king\n"
    )
    monkeypatch.setattr(builtin, "builtin_lesson", lambda key: broken)
    at = open_page("pages/7_Lessons.py", lesson="near", step="1")
    messages = []
    for _ in range(3):
        messages.append(at.error[0].value)
        at.button(key="lesson_next").click().run()
    assert "unknown lesson widget 'nosuch'" in messages[0]
    assert "unknown page 'Nowhere'" in messages[1]
    assert "'zzzzqqq' is not in" in messages[2]
    assert not at.error and at.dataframe
