"""A teacher publishes a lesson and leads two steps live from the Lessons page; a second browser
following it there moves with them."""

import pytest

from tests.e2e.conftest import ARTIFACTS, TEACHER_CODE

pytestmark = pytest.mark.e2e
MOVE_WITHIN_MS = 5_000


def _context(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(url)
    tab.get_by_role("heading", name="Embedding Lab", level=1).wait_for()
    return context, tab


def test_teacher_publishes_and_leads_a_follower_moves_with_them(browser, teacher_server):
    teacher_context, teacher = _context(browser, teacher_server)
    student_context, student = _context(browser, teacher_server)
    try:
        teacher.get_by_text("Teacher: publish a space to the class").click()
        code = teacher.get_by_label("Teacher code")
        code.fill(TEACHER_CODE)
        code.press("Enter")
        teacher.get_by_text("Write or lead a lesson").click()
        teacher.get_by_role("heading", name="Teach", level=1).wait_for()
        teacher.get_by_label("Lesson title").fill("Live <b>demo</b>")
        teacher.get_by_label("Lesson title").press("Enter")
        teacher.get_by_role("button", name="Add a step").click()
        teacher.get_by_text("Step 2: Step 2").wait_for()
        teacher.get_by_role("button", name="Publish to the class").click()
        teacher.get_by_text("Published Live <b>demo</b> to the class.").wait_for()
        teacher.screenshot(path=str(ARTIFACTS / "lesson-teacher-editor.png"), full_page=True)

        teacher.get_by_role("link", name="Lessons").first.click()
        teacher.get_by_role("heading", name="Lessons", level=1).wait_for()
        teacher.locator("text=from your teacher >> visible=true").first.wait_for()
        teacher.screenshot(path=str(ARTIFACTS / "lesson-list-published.png"), full_page=True)
        teacher.get_by_role("button", name="Start").first.click()
        teacher.get_by_role("button", name="Lead this lesson live").click()
        teacher.get_by_text("students following it are on step 1").wait_for()

        student.reload()
        student.get_by_text("Lessons from your teacher").wait_for()
        student.get_by_text("Live <b>demo</b> · beginner · 2 steps").wait_for()
        assert student.locator("b", has_text="demo").count() == 0  # the title shows as text
        student.get_by_role("button", name="Follow the live lesson").click()
        student.get_by_text("Following Live <b>demo</b> live").wait_for()
        student.get_by_text("Step 1 of 2", exact=True).wait_for()
        student.screenshot(path=str(ARTIFACTS / "lesson-follower-step1.png"), full_page=True)

        teacher.get_by_role("button", name="Next").click()
        teacher.get_by_text("students following it are on step 2").wait_for()
        student.get_by_text("Step 2 of 2", exact=True).wait_for(timeout=MOVE_WITHIN_MS)
        student.screenshot(path=str(ARTIFACTS / "lesson-follower-step2.png"), full_page=True)

        student.get_by_role("button", name="Step away").click()
        student.get_by_role("button", name="Rejoin the class").wait_for()
        teacher.get_by_role("button", name="Previous").click()
        teacher.get_by_text("students following it are on step 1").wait_for()
        student.get_by_text("the class is on step 1").wait_for(timeout=MOVE_WITHIN_MS)
        student.get_by_role("button", name="Rejoin the class").click()
        student.get_by_text("Step 1 of 2", exact=True).wait_for(timeout=MOVE_WITHIN_MS)
        teacher.screenshot(path=str(ARTIFACTS / "lesson-teacher-leading.png"), full_page=True)
        student.screenshot(path=str(ARTIFACTS / "lesson-follower-rejoined.png"), full_page=True)
        assert student.get_by_text("Traceback").count() == 0
    finally:
        teacher_context.close()
        student_context.close()
