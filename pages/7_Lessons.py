"""Lessons: guided walks through how embeddings work, one step at a time, offline; the teacher's
published lessons beside the built-in ones, and the lessons being led live."""

import streamlit as st

from app.errors import InputError
from app.lessons import store
from app.lessons.builtin import builtin_lessons
from app.lessons.format import Lesson, parse_lesson
from pages._ui import lesson_live, lessons, workspace
from pages._ui.errors import report_errors
from pages._ui.text import plain
from pages._ui.widgets import page_setup

page_setup("Lessons", ":material/school:")
st.title("Lessons")

# A shared link (?lesson=near&step=3) opens that step; otherwise the session's own place.
state = lessons.player()
wanted = st.query_params.get("lesson")
if state is None and wanted:
    step = st.query_params.get("step", "1")
    index = int(step) - 1 if step.isdigit() else 0
    if wanted.startswith(lessons.LIVE):
        lesson_live.follow(wanted.removeprefix(lessons.LIVE))
    else:
        try:
            lessons.resolve(wanted)
        except InputError as exc:
            st.warning(f"The link's lesson cannot be opened: {plain(str(exc))}")
        else:
            lessons.open_lesson(wanted, index)
    state = lessons.player()

if state is not None:
    with report_errors("play the lesson"):
        if state.lesson.startswith(lessons.LIVE):
            lesson_live.play_live(state)
        else:
            lesson = lessons.resolve(state.lesson)
            if workspace.is_teacher():
                lesson_live.lead_button(lesson, state.step)
            in_url = state.lesson != "uploaded"
            lessons.play(lesson, state, controls=lessons.Controls(in_url=in_url))
    st.stop()

st.write(
    "Each lesson takes you through one idea, step by step: a few sentences on the left, a picture or a live "
    "page on the right. Press **Next** to move on; nothing to type. Everything runs on this server, offline."
)
with st.expander("What am I looking at?"):
    st.markdown(
        "- The ten built-in lessons go from what an embedding is to how the vectors are trained, what pictures "
        "hide, and the bias vectors carry. Take them in order, or jump to one.\n"
        "- Lessons marked **from your teacher** were written and published by your teacher; when your "
        "teacher leads one live, **Follow the live lesson** takes you to their step as they move.\n"
        "- A step that asks a question lets you **guess first**: commit to an answer, then see what the model says.\n"
        "- The address bar keeps the lesson and the step: a reload, or the link sent to a classmate, "
        "opens the same step."
    )

lesson_live.follow_list(switch=False)


def lesson_row(key: str, lesson: Lesson, mark: str = "") -> None:
    with st.container(border=True):
        left, right = st.columns([5, 1])
        badge = f" · :violet-badge[{mark}]" if mark else ""
        summary = f"  \n{plain(lesson.summary)}" if lesson.summary else ""
        left.markdown(
            f"**{plain(lesson.title)}**{badge} · *{plain(lesson.level)}* · {len(lesson.steps)} steps{summary}"
        )
        right.button("Start", key=f"start_{key}", on_click=lessons.open_lesson, args=(key,))


published = store.published_lessons(workspace.shelf().path).list()
for entry in published:
    lesson_row(f"{lessons.PUBLISHED}{entry.slug}", entry.lesson, "from your teacher")
if workspace.is_teacher():
    for entry in store.workspace_lessons(workspace.current().path).list():
        lesson_row(f"{lessons.MINE}{entry.slug}", entry.lesson, "saved by you")
for builtin_entry in builtin_lessons():
    lesson_row(builtin_entry.key, builtin_entry.lesson)

st.subheader("Try a lesson file")
st.caption("A lesson is a Markdown file with a small header; see the README for the format.")
upload = st.file_uploader("Lesson file (.md)", type=["md", "txt"], key="lesson_upload")
if upload is not None:
    try:
        uploaded = parse_lesson(upload.getvalue().decode("utf-8", errors="replace"), name=upload.name)
    except InputError as exc:
        st.error(f"Could not read the lesson: {plain(str(exc))}")
    else:
        st.session_state[lessons.UPLOADED] = uploaded
        st.success(f"{plain(uploaded.title)}: {len(uploaded.steps)} steps.")
        st.button("Start it", key="start_uploaded", on_click=lessons.open_lesson, args=("uploaded",))
