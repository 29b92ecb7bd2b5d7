"""AppTest of the teacher's lessons on the Lessons page: a published lesson in the list (from your
teacher), a teacher leading a lesson live there, a follower moved to the teacher's step, guesses
counted, and the editor's preview drawing a widget step with the student's player."""

from streamlit.testing.v1 import AppTest

from app.lessons import store
from app.lessons.format import parse_lesson
from pages._ui import lesson_editor, lesson_live, lessons, workspace
from tests.conftest import ROOT, open_page

LESSONS = "pages/7_Lessons.py"
PUBLISHED = parse_lesson(
    "---\ntitle: Shelf lesson\nlevel: beginner\nsummary: from the shelf\n---\n"
    "## One\nFirst.\nask: Closer to king?\nguess: queen | apple\nanswer: queen\n"
    "## Two\nshow: widget cosine king queen\n## Three\nThird.\n"
)


def _publish() -> str:
    return store.published_lessons(workspace.shelf().path).save(PUBLISHED)


def _texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _teacher(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.run()
    at.session_state[workspace.TEACHER] = True
    at.query_params.update(query)
    at.switch_page(LESSONS)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_published_lesson_is_listed_from_your_teacher_and_plays():
    slug = _publish()
    at = open_page(LESSONS)
    assert any("Shelf lesson" in m.value and "from your teacher" in m.value for m in at.markdown)
    at.button(key=f"start_{lessons.PUBLISHED}{slug}").click().run()
    assert "Step 1 of 3" in at.markdown[0].value
    assert str(at.query_params["lesson"]).strip("[]'") == f"{lessons.PUBLISHED}{slug}"
    assert not at.get("button") or all(b.key != "live_start" for b in at.button)  # students do not lead


def test_the_teacher_leads_and_a_follower_goes_to_the_teachers_step():
    slug = _publish()
    teacher = _teacher(lesson=f"{lessons.PUBLISHED}{slug}", step="1")
    teacher.button(key="live_start").click().run()
    assert "students following it are on step 1" in teacher.info[0].value
    live_link = str(teacher.query_params["lesson"]).strip("[]'")
    assert live_link.startswith(lessons.LIVE)

    student = open_page(LESSONS, lesson=live_link, step="1")
    assert "Step 1 of 3" in _texts(student)
    assert "Following Shelf lesson live" in _texts(student)
    assert not [b for b in student.button if b.key == "lesson_next"]  # the teacher moves the class
    student.radio[0].set_value("queen").run()
    student.button(key="commit_guess").click().run()
    live_id = live_link.removeprefix(lessons.LIVE)
    assert lesson_live.registry().counts(live_id, 0) == {"queen": 1, "apple": 0}
    assert any("teacher reveals" in c.value for c in student.caption)

    teacher.button(key="lesson_next").click().run()
    assert "students following it are on step 2" in teacher.info[0].value
    student.run()  # what the follower's one-second fragment triggers when the step changed
    assert "Step 2 of 3" in _texts(student)
    assert student.metric, "the widget step shows its widget to the follower"

    student.button(key="live_away").click().run()
    student.button(key="lesson_next").click().run()
    assert "Step 3 of 3" in _texts(student)
    student.button(key="live_rejoin").click().run()
    assert "Step 2 of 3" in _texts(student)
    teacher.button(key="live_stop").click().run()
    student.run()
    assert any("has ended" in i.value for i in student.info)


def test_the_preview_uses_the_students_player_with_its_widget():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.switch_page("pages/8_Teach.py")
    at.run()
    ids = at.session_state[lesson_editor.ORDER]
    at.text_input(key=f"lesson_step_{ids[0]}_show").set_value("widget cosine king queen").run()
    at.toggle(key="lesson_preview").set_value(True).run()
    assert not at.exception, at.exception
    assert any("Step 1 of 1" in m.value for m in at.markdown)
    assert at.metric and at.metric[-1].label == "cosine"
