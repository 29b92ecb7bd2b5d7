"""The sidebar's "Add this view to a lesson": appends a step showing this page's view (its page and
the settings and data in the address) to the draft lesson in this browser's workspace, which the
lesson editor (Teach page) opens."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import streamlit as st

from app.lessons import store
from app.lessons.format import LEVELS, MAX_STEPS, Lesson, Show, Step
from pages._ui import session, workspace
from pages._ui.errors import report_errors

PRIVATE_KEYS = ("ws",)
RELOAD = "lesson_reload_draft"  # tells the lesson editor to reload the draft from the workspace


def view_target(page: str) -> str:
    """``Explore?sample=glove&query=king``: the page and its address's settings, no workspace key."""
    params = {key: value for key, value in st.query_params.to_dict().items() if key not in PRIVATE_KEYS}
    name = re.sub(r"[^A-Za-z0-9_-]", "", page) or "Home"
    return name + (f"?{urlencode(params)}" if params else "")


def add_view_button(page: str) -> None:
    """Sidebar: a small button that appends this view as a new step of the draft lesson."""
    if not session.shareable():
        return  # the view shows private data: a lesson step could not show it to the class
    hint = "Appends a step to your draft lesson (Teach page)."
    if not st.button("Add this view to a lesson", key="add_view_to_lesson", help=hint):
        return
    with report_errors("add this view to the lesson"):
        path = workspace.current().path
        draft = store.read_draft(path) or Lesson(title="My lesson", level=LEVELS[0], steps=())
        if len(draft.steps) >= MAX_STEPS:
            st.toast(f"The draft lesson already has {MAX_STEPS} steps.")
            return
        step = Step(title=f"{page} view", show=Show("view", view_target(page)))
        longer = Lesson(title=draft.title, level=draft.level, summary=draft.summary, steps=(*draft.steps, step))
        store.save_draft(path, longer)
        st.session_state[RELOAD] = True
        st.toast(f"Added as step {len(draft.steps) + 1} of your draft lesson (Teach page).")
