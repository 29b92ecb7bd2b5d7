"""Lessons: guided walks through how embeddings work, one step at a time, offline."""

import streamlit as st

from app.errors import InputError
from app.lessons.builtin import BUILTIN, builtin_lesson, builtin_lessons
from app.lessons.format import parse_lesson
from pages._ui import lessons
from pages._ui.errors import report_errors
from pages._ui.widgets import page_setup

UPLOADED = "lesson_uploaded"

page_setup("Lessons", ":material/school:")
st.title("Lessons")

# A shared link (?lesson=near&step=3) opens that step; otherwise the session's own place.
state = lessons.player()
wanted = st.query_params.get("lesson")
if state is None and wanted in BUILTIN:
    step = st.query_params.get("step", "1")
    lessons.open_lesson(wanted, int(step) - 1 if step.isdigit() else 0)
    state = lessons.player()

if state is not None:
    with report_errors("play the lesson"):
        if state.lesson == "uploaded" and UPLOADED in st.session_state:
            lessons.play(st.session_state[UPLOADED], state, in_url=False)
        else:
            lessons.play(builtin_lesson(state.lesson), state)
    st.stop()

st.write(
    "Each lesson takes you through one idea, step by step: a few sentences on the left, a picture or a live "
    "page on the right. Press **Next** to move on; nothing to type. Everything runs on this server, offline."
)
with st.expander("What am I looking at?"):
    st.markdown(
        "- The ten built-in lessons go from what an embedding is to how the vectors are trained, what pictures "
        "hide, and the bias vectors carry. Take them in order, or jump to one.\n"
        "- A step that asks a question lets you **guess first**: commit to an answer, then see what the model says.\n"
        "- The address bar keeps the lesson and the step: a reload, or the link sent to a classmate, "
        "opens the same step."
    )

for entry in builtin_lessons():
    lesson = entry.lesson
    with st.container(border=True):
        left, right = st.columns([5, 1])
        left.markdown(f"**{lesson.title}** · *{lesson.level}* · {len(lesson.steps)} steps  \n{lesson.summary}")
        right.button("Start", key=f"start_{entry.key}", on_click=lessons.open_lesson, args=(entry.key,))

st.subheader("Try a lesson file")
st.caption("A lesson is a Markdown file with a small header; see the README for the format.")
upload = st.file_uploader("Lesson file (.md)", type=["md", "txt"], key="lesson_upload")
if upload is not None:
    try:
        lesson = parse_lesson(upload.getvalue().decode("utf-8", errors="replace"), name=upload.name)
    except InputError as exc:
        st.error(f"Could not read the lesson: {exc}")
    else:
        st.session_state[UPLOADED] = lesson
        st.success(f"{lesson.title}: {len(lesson.steps)} steps.")
        st.button("Start it", key="start_uploaded", on_click=lessons.open_lesson, args=("uploaded",))
