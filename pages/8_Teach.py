"""Teach: follow a live lesson; write, save, publish and lead your own lessons."""

import streamlit as st

from pages._ui import lesson_editor, lesson_live
from pages._ui.widgets import page_setup

page_setup("Teach", ":material/school:")
st.title("Teach")
lesson_live.follow_list()
lesson_live.follower()
write_tab, lead_tab = st.tabs(["Write a lesson", "Lead it live"])
with write_tab:
    lesson = lesson_editor.editor()
with lead_tab:
    lesson_live.lead_panel(lesson)
