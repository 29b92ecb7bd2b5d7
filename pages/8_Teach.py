"""Teach: follow a live lesson; write, save, publish and lead your own lessons."""

import streamlit as st

from pages._ui import lesson_editor, lesson_live
from pages._ui.widgets import page_setup

page_setup("Teach", ":material/school:")
st.title("Teach")
lesson_live.follow_list()
lesson_live.follower()
st.header("Lead a lesson live")
lead_box = st.container()
st.header("Write a lesson")
lesson = lesson_editor.editor()
with lead_box:
    lesson_live.lead_panel(lesson)
