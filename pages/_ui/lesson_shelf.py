"""Home: the lessons the teacher published to the class, and the lessons being led live."""

from __future__ import annotations

import streamlit as st

from app.lessons import store
from pages._ui import lesson_live, workspace
from pages._ui.text import plain

TEACH_PAGE = "pages/8_Teach.py"


def published_lessons_panel() -> None:
    """Published lessons (title, level, summary) and live lessons to follow; links to Lessons and Teach."""
    lessons = store.published_lessons(workspace.shelf().path).list()
    lesson_live.follow_list()
    if lessons:
        st.subheader("Lessons from your teacher")
        for entry in lessons:
            lesson = entry.lesson
            summary = f" · {plain(lesson.summary)}" if lesson.summary else ""
            st.markdown(f"**{plain(lesson.title)}** · {plain(lesson.level)} · {len(lesson.steps)} steps{summary}")
        st.page_link(lesson_live.LESSONS_PAGE, label="Open them on the Lessons page", icon=":material/school:")
    st.page_link(TEACH_PAGE, label="Write or lead a lesson", icon=":material/co_present:")
