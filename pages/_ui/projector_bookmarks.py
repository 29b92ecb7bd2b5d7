"""A Projector folder's bookmarks: listed under the space's summary (Home), and turned into a draft
lesson (one step per bookmark) that the lesson editor on Teach opens.

A lesson step's view must show data every student can open, as a view link does: the steps name a
published space (or a built-in sample). A private upload's bookmarks are listed, and the button
says to publish the space first (a teacher may do it right there).
"""

from __future__ import annotations

import streamlit as st

from app.io.formats.bookmarks import Bookmark, bookmarks_of, describe
from app.lessons import store
from app.lessons.format import Lesson
from app.lessons.from_projector import lesson_from_bookmarks
from app.space import EmbeddingSpace
from pages._ui import state, workspace
from pages._ui.add_to_lesson import RELOAD
from pages._ui.errors import report_errors
from pages._ui.text import plain

TEACH = "pages/8_Teach.py"
LISTED_OPEN = 5  # the list starts open when it is this short


def shared_data(space: EmbeddingSpace) -> dict[str, str] | None:
    """How a view link names ``space`` (a published id or a built-in sample), or None when private."""
    origin = state.origin_of(space.name)
    if origin is not None and origin.kind == "published" and origin.id:
        return {"space": origin.id}
    if origin is not None and origin.kind == "sample" and origin.sample:
        return {"sample": origin.sample} | ({"n_words": str(origin.n_words)} if origin.n_words else {})
    return None


def bookmarks_panel(space: EmbeddingSpace) -> None:
    """Each bookmark's title, description and what it shows; the button that makes a lesson of them."""
    bookmarks = bookmarks_of(space.source)
    if not bookmarks:
        return
    title = f"Bookmarks saved with the Projector folder ({len(bookmarks)})"
    with st.expander(title, expanded=len(bookmarks) <= LISTED_OPEN):
        st.markdown("\n".join(_line(bookmark, space) for bookmark in bookmarks))
        lesson_button(space, bookmarks, key="bookmarks_lesson_home")


def from_active_space() -> None:
    """Teach: when the active space has bookmarks, the same button, above the editor (which then
    opens the new draft)."""
    space = state.active_space()
    bookmarks = bookmarks_of(space.source) if space is not None else []
    if space is None or not bookmarks:
        return
    with st.expander(f"Start from the {len(bookmarks)} Projector bookmarks of {plain(space.name)}"):
        st.caption("The lesson being written is replaced (and kept among your saved lessons when it has content).")
        lesson_button(space, bookmarks, key="bookmarks_lesson_teach", switch=False)


def _line(bookmark: Bookmark, space: EmbeddingSpace) -> str:
    about = plain(bookmark.description) if bookmark.description else "*(no description)*"
    shows = plain(describe(bookmark, space.words))
    return f"- **{bookmark.number}\\. {plain(bookmark.title)}**: {about}  \n  *Shows:* {shows}"


def lesson_button(space: EmbeddingSpace, bookmarks: list[Bookmark], *, key: str, switch: bool = True) -> None:
    """ "Make a lesson from these bookmarks" when the space is shared; otherwise why not, and (for a
    teacher) the way to share it. ``switch``: go to the Teach page after (from Home)."""
    data = shared_data(space)
    if data is None:
        st.caption(
            "These bookmarks can become the steps of a lesson once the space is published to the class: "
            "a lesson shows each step's view to every student, and this space is private to your browser."
        )
        if workspace.is_teacher() and st.button(f"Publish {plain(space.name)} to the class", key=f"{key}_publish"):
            workspace.publish_active()
        elif not workspace.is_teacher():
            st.caption("A teacher publishes it: enter the teacher code under *Teacher* at the bottom of Home.")
        return
    hint = "One step per bookmark, opened in the lesson editor (Teach) to edit, preview and publish."
    if not st.button("Make a lesson from these bookmarks", key=key, help=hint, type="primary"):
        return
    with report_errors("make a lesson from the bookmarks"):
        columns = [] if space.metadata is None else [str(c) for c in space.metadata.columns]
        lesson = lesson_from_bookmarks(
            bookmarks, space_name=space.name, words=space.words, metadata_columns=columns, data=data
        )
        kept = _keep_previous_draft()
        store.save_draft(workspace.current().path, lesson)
        st.session_state[RELOAD] = True
        note = f" Your previous draft was saved as “{kept}” in your workspace." if kept else ""
        st.toast(plain(f"A draft lesson of {len(lesson.steps)} steps is in the lesson editor.{note}"))
        if switch:
            st.switch_page(TEACH)
        st.rerun()


def _keep_previous_draft() -> str:
    """The draft being written, saved among the workspace's lessons before it is replaced; its title,
    or "" when there was nothing worth keeping (no draft, or one untouched step)."""
    path = workspace.current().path
    draft = store.read_draft(path)
    if draft is None or _untouched(draft):
        return ""
    store.workspace_lessons(path).save(draft)
    return draft.title


def _untouched(draft: Lesson) -> bool:
    return len(draft.steps) == 1 and not (draft.steps[0].text or draft.steps[0].show or draft.steps[0].question)
