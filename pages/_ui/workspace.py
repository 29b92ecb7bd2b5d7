"""This browser's private workspace on disk (its token lives in the URL as ``?ws=``), the class
shelf a teacher publishes to, and the Home panels that list them."""

from __future__ import annotations

import hmac
import os
from datetime import datetime
from pathlib import Path

import streamlit as st

from app.space import EmbeddingSpace
from app.store import caps
from app.store.budgets import space_bytes
from app.store.workspace import PublishedShelf, SavedSpace, Workspace, is_valid_token, new_token, published
from pages._ui import state
from pages._ui.widgets import report_errors

TOKEN = "workspace_token"
URL_KEY = "ws"
TEACHER = "teacher_unlocked"


def root() -> Path:
    """Where workspaces live: EMBEDDING_LAB_WORKSPACES, else ./workspaces next to the app.
    Unused workspaces and uploads there are expired at start and every few minutes (app.store.caps)."""
    folder = Path(os.environ.get("EMBEDDING_LAB_WORKSPACES") or Path(__file__).resolve().parents[2] / "workspaces")
    caps.start_housekeeping(folder)
    return folder


def token() -> str:
    """This browser's workspace token: from the URL when valid, else a new unguessable one. It is
    written back into the URL on every page, so bookmarking the address keeps the workspace."""
    current = st.session_state.get(TOKEN)
    if current is None:
        from_url = st.query_params.get(URL_KEY, "")
        current = from_url if is_valid_token(from_url) else new_token()
        st.session_state[TOKEN] = current
    if st.query_params.get(URL_KEY) != current:
        st.query_params[URL_KEY] = current
    return current


def current() -> Workspace:
    workspace = Workspace(root(), token())
    caps.note_use(workspace.path)  # a workspace in use is never expired
    return workspace


def shelf() -> PublishedShelf:
    return published(root())


def upload_folder(*, incoming: int = 0) -> Path:
    """A folder for this workspace's uploaded corpora (read lazily while training); an InputError when
    ``incoming`` more bytes would overfill the server's upload space."""
    caps.check_upload_space(caps.ServerCaps.from_env(), root(), incoming=incoming)
    folder = root() / caps.UPLOADS_DIR / token()
    folder.mkdir(parents=True, exist_ok=True)
    caps.note_use(folder)
    return folder


def save(space: EmbeddingSpace, *, extra: dict | None = None) -> str:
    """Save ``space`` to this browser's workspace (atomic; a same-named space is replaced)."""
    caps.check_can_save(caps.ServerCaps.from_env(), root(), token(), new_bytes=space_bytes(space))
    return current().save(space, extra=extra)


def _open(entry: SavedSpace, source: Workspace | PublishedShelf) -> None:
    with report_errors(f"open {entry.name}"):
        space = source.load(entry.id)  # a published space comes back marked shared
        state.add_space(space)
        st.rerun()


def _when(entry: SavedSpace) -> str:
    try:
        return datetime.fromisoformat(str(entry.saved_at)).strftime("%d %b %H:%M")
    except ValueError:
        return str(entry.saved_at)


def workspace_panel() -> None:
    """Home: the spaces saved in this browser's workspace, to reopen or delete; how to come back."""
    mine = current()
    entries = mine.list()
    st.subheader("Your workspace")
    st.caption(
        "Trained spaces are saved here automatically, and you can save any loaded space. The workspace "
        "is private to this browser: its key is the `ws=` part of the address. Bookmark the address "
        "to come back to it after closing the tab."
    )
    active = state.active_space()
    if active is not None and st.button(f"Save {active.name} to my workspace", key="save_active"):
        with report_errors(f"save {active.name}"):
            save(active)
            st.toast(f"Saved {active.name}.")
            st.rerun()
    if not entries:
        st.caption("Nothing saved yet.")
    for entry in entries:
        cols = st.columns([4, 1, 1])
        cols[0].markdown(f"**{entry.name}** · {entry.n:,} × {entry.dim} · saved {_when(entry)}")
        if cols[1].button("Open", key=f"open_{entry.id}"):
            _open(entry, mine)
        if cols[2].button("Delete", key=f"delete_{entry.id}"):
            with report_errors(f"delete {entry.name}"):
                mine.delete(entry.id)
                st.rerun()


def class_shelf_panel() -> None:
    """Home: spaces the teacher published to the class (read-only), and the teacher's controls."""
    shared = shelf()
    entries = shared.list()
    if entries:
        st.subheader("Shared with the class")
        for entry in entries:
            cols = st.columns([4, 1])
            cols[0].markdown(f"**{entry.name}** · {entry.n:,} × {entry.dim} · published {_when(entry)}")
            if cols[1].button("Open", key=f"open_shared_{entry.id}"):
                _open(entry, shared)
    _teacher_controls(shared, entries)


def _teacher_controls(shared: PublishedShelf, entries: list[SavedSpace]) -> None:
    code = os.environ.get("EMBEDDING_LAB_TEACHER_CODE", "")
    with st.expander("Teacher: publish a space to the class"):
        if not code:
            st.caption(
                "Start the server with EMBEDDING_LAB_TEACHER_CODE=some-secret to enable publishing. "
                "Published spaces are read-only copies every student can open from Home."
            )
            return
        if not st.session_state.get(TEACHER):
            typed = st.text_input("Teacher code", type="password", key="teacher_code")
            if typed and hmac.compare_digest(typed.encode()[:200], code.encode()):
                st.session_state[TEACHER] = True
                st.rerun()
            elif typed:
                st.error("That is not the teacher code.")
            return
        active = state.active_space()
        if active is not None and st.button(f"Publish {active.name} to the class", key="publish_active"):
            with report_errors(f"publish {active.name}"):
                shared.publish(active, by="teacher")
                st.toast(f"Published {active.name}.")
                st.rerun()
        for entry in entries:
            if st.button(f"Withdraw {entry.name}", key=f"unpublish_{entry.id}"):
                with report_errors(f"withdraw {entry.name}"):
                    shared.unpublish(entry.id)
                    st.rerun()
