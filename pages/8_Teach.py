"""Teach: write, save, publish your own lessons; lead one live (the class follows on the Lessons page)."""

import streamlit as st

from pages._ui import lesson_editor, lesson_live
from pages._ui.widgets import page_setup

page_setup("Teach", ":material/co_present:")
st.title("Teach")
st.caption(
    "Write a lesson below, preview it as a student, publish it to the class; then lead it live from here "
    "or from any lesson on the Lessons page (Lead this lesson live)."
)
st.header("Lead a lesson live")
lead_box = st.container()
st.header("Write a lesson")
lesson = lesson_editor.editor()
with lead_box:
    lesson_live.lead_button(lesson, switch=True)
