"""The lesson editor: write each step's text, question, guesses, answer and what it shows; reorder,
delete, preview as a student; download or upload the lesson file; save it to this browser's
workspace; publish it to the class shelf (teacher code).

The draft lives in session_state as a list of step ids (the order) and one widget key per field,
``lesson_step_<id>_<field>``, so reordering moves the widgets' values with them. Every change is
also kept as ``lesson-draft.md`` in the workspace, where "Add this view to a lesson" appends.
"""

from __future__ import annotations

import secrets

import streamlit as st

from app.errors import InputError
from app.lessons import store
from app.lessons.format import LEVELS, Lesson, parse_lesson
from app.lessons.player import Player
from pages._ui import lessons, projector_bookmarks, workspace
from pages._ui.add_to_lesson import RELOAD
from pages._ui.errors import report_errors
from pages._ui.text import plain

ORDER = "lesson_step_ids"
TITLE, LEVEL, SUMMARY = "lesson_title", "lesson_level", "lesson_summary"
FIELDS = ("title", "text", "show", "ask", "guess", "answer")
LOADED_FROM = "lesson_loaded_from"
PREVIEW = "lesson_preview_player"
MAX_UPLOAD_BYTES = 400_000


def _field(step_id: str, name: str) -> str:
    return f"lesson_step_{step_id}_{name}"


def _new_id() -> str:
    return secrets.token_hex(4)


def load_into_editor(lesson: Lesson) -> None:
    """Put ``lesson`` into the editor's widgets (before they are drawn, or from a callback)."""
    for step_id in st.session_state.get(ORDER, []):
        for name in FIELDS:
            st.session_state.pop(_field(step_id, name), None)
    st.session_state[TITLE] = lesson.title
    st.session_state[LEVEL] = lesson.level
    st.session_state[SUMMARY] = lesson.summary
    ids = []
    for step in lesson.steps:
        step_id = _new_id()
        ids.append(step_id)
        values = {
            "title": step.title,
            "text": step.text,
            "show": step.show.to_line().removeprefix("show: ") if step.show else "",
            "ask": step.question,
            "guess": " | ".join(step.guesses),
            "answer": step.answer,
        }
        for name, value in values.items():
            st.session_state[_field(step_id, name)] = value
    st.session_state[ORDER] = ids


def _start() -> None:
    """First run (or after "Add this view"): the workspace's draft, else one empty step."""
    reload = st.session_state.pop(RELOAD, False)  # taken even on the first run, or the next run reloads again
    if ORDER in st.session_state and not reload:
        return
    draft = store.read_draft(workspace.current().path)
    if draft is not None:
        load_into_editor(draft)
        return
    st.session_state.setdefault(TITLE, "My lesson")
    st.session_state.setdefault(LEVEL, LEVELS[0])
    st.session_state.setdefault(SUMMARY, "")
    step_id = _new_id()
    st.session_state[ORDER] = [step_id]
    st.session_state[_field(step_id, "title")] = "First step"


def lesson_from_editor() -> Lesson:
    """The lesson the widgets hold, checked by the lesson file parser (an InputError names the step)."""
    steps = []
    for number, step_id in enumerate(st.session_state.get(ORDER, []), start=1):
        value = {name: str(st.session_state.get(_field(step_id, name)) or "").strip() for name in FIELDS}
        text = "\n".join(line for line in value["text"].splitlines() if not line.startswith("## "))
        single = {name: " ".join(value[name].split()) for name in ("title", "show", "ask", "guess", "answer")}
        lines = [f"## {single['title'] or f'Step {number}'}", text]
        lines += [f"{name}: {single[name]}" for name in ("show", "ask", "guess", "answer") if single[name]]
        try:
            parsed = parse_lesson(f"---\ntitle: x\nlevel: {LEVELS[0]}\n---\n" + "\n".join(lines), name="step")
        except InputError as exc:
            raise InputError(f"Step {number}: {str(exc).partition(': ')[2]}") from None
        steps.append(parsed.steps[0])
    title = " ".join(str(st.session_state.get(TITLE) or "").split())
    if not title:
        raise InputError("The lesson needs a title.")
    return Lesson(
        title=title,
        level=str(st.session_state.get(LEVEL) or LEVELS[0]),
        summary=" ".join(str(st.session_state.get(SUMMARY) or "").split()),
        steps=tuple(steps),
    )


def _move(step_id: str, by: int) -> None:
    ids = st.session_state[ORDER]
    if step_id not in ids:
        return
    index = ids.index(step_id)
    other = index + by
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]


def _delete(step_id: str) -> None:
    ids = st.session_state[ORDER]
    if step_id not in ids or len(ids) == 1:
        return
    ids.remove(step_id)
    for name in FIELDS:
        st.session_state.pop(_field(step_id, name), None)


def _add() -> None:
    step_id = _new_id()
    st.session_state[ORDER].append(step_id)
    st.session_state[_field(step_id, "title")] = f"Step {len(st.session_state[ORDER])}"


def read_upload(name: str, raw: bytes) -> Lesson:
    """An uploaded lesson file, or InputError naming the file and line (the parser's message)."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise InputError(f"{name}: the file is {len(raw):,} bytes; a lesson file is at most {MAX_UPLOAD_BYTES:,}")
    return parse_lesson(raw.decode("utf-8", errors="replace"), name=name)


def _upload() -> None:
    uploaded = st.session_state.get("lesson_upload")
    if uploaded is None:
        return
    try:
        lesson = read_upload(uploaded.name, uploaded.getvalue())
    except InputError as exc:
        st.session_state["lesson_upload_error"] = str(exc)
        return
    st.session_state.pop("lesson_upload_error", None)
    load_into_editor(lesson)
    st.session_state[LOADED_FROM] = uploaded.name


def _step_fields(index: int, step_id: str, total: int) -> None:
    title = st.session_state.get(_field(step_id, "title")) or f"Step {index + 1}"
    with st.expander(f"Step {index + 1}: {plain(title)}", expanded=total <= 3):
        st.text_input("Step title", key=_field(step_id, "title"))
        st.text_area("Text (Markdown)", key=_field(step_id, "text"), height=100)
        st.text_input(
            "What it shows",
            key=_field(step_id, "show"),
            placeholder="view Explore?sample=glove&query=king  or  widget cosine king queen",
            help="A view link's page and settings (use Add this view to a lesson on any page), or a lesson widget.",
        )
        st.text_input("Question (optional)", key=_field(step_id, "ask"))
        st.text_input("Guesses (optional, 2 to 6 separated by |)", key=_field(step_id, "guess"))
        st.text_input("Answer (revealed on request or after a guess)", key=_field(step_id, "answer"))
        cols = st.columns(3)
        cols[0].button("Move up", key=f"lesson_up_{step_id}", on_click=_move, args=(step_id, -1), disabled=index == 0)
        cols[1].button(
            "Move down", key=f"lesson_down_{step_id}", on_click=_move, args=(step_id, 1), disabled=index == total - 1
        )
        cols[2].button(
            "Delete step", key=f"lesson_delete_{step_id}", on_click=_delete, args=(step_id,), disabled=total == 1
        )


def editor() -> Lesson | None:
    """The whole editor; returns the lesson it holds when it is valid (for leading it live)."""
    projector_bookmarks.from_active_space()  # before the draft is read: it may replace the draft
    _start()
    st.text_input("Lesson title", key=TITLE)
    left, right = st.columns([1, 3])
    left.selectbox("Level", LEVELS, key=LEVEL)
    right.text_input("Summary (one line)", key=SUMMARY)
    ids = list(st.session_state[ORDER])
    for index, step_id in enumerate(ids):
        _step_fields(index, step_id, len(ids))
    st.button("Add a step", key="lesson_add_step", on_click=_add)
    try:
        lesson = lesson_from_editor()
    except InputError as exc:
        st.error(plain(str(exc)))
        lesson = None
    if lesson is not None:
        with report_errors("keep the draft"):
            store.save_draft(workspace.current().path, lesson)
        _preview(lesson)
        _file_buttons(lesson)
        _save_and_publish(lesson)
    _upload_box()
    _saved_lessons()
    return lesson


def _preview(lesson: Lesson) -> None:
    """The lesson in the student's player (widgets and views included), drawn only when asked for."""
    if not st.toggle("Preview as a student", key="lesson_preview"):
        return
    state = st.session_state.setdefault(PREVIEW, Player("preview"))
    with st.container(border=True):
        lessons.play(lesson, state, controls=lessons.Controls(close=False, in_url=False))


def _file_buttons(lesson: Lesson) -> None:
    st.download_button(
        "Download the lesson file",
        lesson.to_markdown(),
        file_name=f"{store.slug(lesson.title)}.md",
        mime="text/markdown",
        key="lesson_download",
    )


def _save_and_publish(lesson: Lesson) -> None:
    cols = st.columns(2)
    if cols[0].button("Save to my workspace", key="lesson_save"):
        with report_errors("save the lesson"):
            name = store.workspace_lessons(workspace.current().path).save(lesson)
            st.toast(plain(f"Saved {lesson.title} as {name}.md in your workspace."))
    if workspace.is_teacher():
        if cols[1].button("Publish to the class", key="lesson_publish", type="primary"):
            with report_errors("publish the lesson"):
                store.published_lessons(workspace.shelf().path).save(lesson)
                st.toast(plain(f"Published {lesson.title} to the class."))
    else:
        cols[1].caption("Enter the teacher code on Home to publish lessons to the class.")


def _upload_box() -> None:
    st.file_uploader("Upload a lesson file (.md)", type=["md", "txt"], key="lesson_upload", on_change=_upload)
    message = st.session_state.get("lesson_upload_error")
    if message:
        st.error(plain(message))
    elif st.session_state.get(LOADED_FROM):
        st.caption(f"Loaded {plain(st.session_state[LOADED_FROM])} into the editor.")


def _saved_lessons() -> None:
    mine = store.workspace_lessons(workspace.current().path)
    entries = mine.list()
    if not entries:
        return
    st.markdown("**Saved in your workspace**")
    for entry in entries:
        cols = st.columns([4, 1, 1])
        cols[0].markdown(f"{plain(entry.lesson.title)} · {len(entry.lesson.steps)} steps")
        if cols[1].button("Edit", key=f"lesson_edit_{entry.slug}"):
            load_into_editor(entry.lesson)
            st.rerun()
        if cols[2].button("Delete", key=f"lesson_remove_{entry.slug}"):
            with report_errors("delete the lesson"):
                mine.delete(entry.slug)
                st.rerun()
