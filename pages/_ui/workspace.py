"""This browser's private workspace on disk, the class shelf a teacher publishes to, and the
Home panels that list them.

The browser holds a signed workspace key (app/store/keys.py) in a cookie (``embedding_lab_ws``,
SameSite=Strict, 400 days), never in the address: a view link can be shared without handing
out the workspace. The *workspace link* (``/?ws=<key>``) is shown only on Home, under a warning;
opening it on Home makes that browser adopt the workspace, and the key leaves the address bar.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from datetime import datetime
from pathlib import Path

import streamlit as st

from app.space import EmbeddingSpace
from app.store import caps
from app.store.attempts import AttemptLimiter, AttemptPolicy
from app.store.budgets import space_bytes
from app.store.keys import WorkspaceKeys
from app.store.session_record import Loaded
from app.store.workspace import PublishedShelf, SavedSpace, Workspace, published
from pages._ui import cached, state
from pages._ui.errors import report_errors
from pages._ui.text import plain

KEY = "workspace_key"
COOKIE = "embedding_lab_ws"
COOKIE_DAYS = 400  # the longest lifetime Chromium accepts
URL_KEY = "ws"
TEACHER = "teacher_unlocked"
NOTICE = "workspace_notice"

log = logging.getLogger("embedding_lab")


def root() -> Path:
    """Where workspaces live: EMBEDDING_LAB_WORKSPACES, else ./workspaces next to the app.
    Unused workspaces and uploads there are expired at start and every few minutes (app.store.caps)."""
    folder = Path(os.environ.get("EMBEDDING_LAB_WORKSPACES") or Path(__file__).resolve().parents[2] / "workspaces")
    caps.start_housekeeping(folder)
    return folder


def keys() -> WorkspaceKeys:
    return WorkspaceKeys(root())


def _cookie() -> str | None:
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind this session (AppTest, a bare script run)
        return None


def key() -> str:
    """This browser's signed workspace key: from its cookie when the server issued it, else new."""
    current = st.session_state.get(KEY)
    if current is None:
        cookie = _cookie()
        current = cookie if keys().token_of(cookie) else keys().issue()
        st.session_state[KEY] = current
    return current


def token() -> str:
    """The workspace folder's name inside this browser's key."""
    found = keys().token_of(key())
    assert found is not None, "key() only returns keys this server issued"
    return found


def adopt_from_link() -> bool:
    """Home only: ``?ws=<key>`` makes this browser use that workspace (when the server issued the
    key) and starts the session from that workspace's record. The key leaves the address bar.
    Returns True when a workspace was adopted."""
    raw = st.query_params.get(URL_KEY)
    if raw is None:
        return False
    st.query_params.pop(URL_KEY, None)
    if keys().token_of(raw) is None:
        st.session_state[NOTICE] = ("warning", "This workspace link was not made by this server, so it was ignored.")
        return False
    if raw == st.session_state.get(KEY):
        return False
    previous = st.session_state.get(KEY)
    if previous is not None and Workspace(root(), keys().token_of(previous) or "").list():
        st.session_state[NOTICE] = ("info", f"Your previous workspace stays reachable with its link: {link(previous)}")
    else:
        st.session_state[NOTICE] = ("success", "This browser now uses the workspace from the link.")
    st.session_state[KEY] = raw
    state.forget_all()
    return True


def drop_link_elsewhere() -> None:
    """Pages other than Home never honour ``?ws=`` (an old link): it is removed from the address."""
    st.query_params.pop(URL_KEY, None)


def keep_in_browser() -> None:
    """Write the key into this browser's cookie when the browser sent another (or none)."""
    if _cookie() == key():
        return
    cookie = f"{COOKIE}={key()}; Path=/; Max-Age={COOKIE_DAYS * 86_400}; SameSite=Strict"
    script = f"""<script>
    const cookie = {json.dumps(cookie)} + (window.parent.location.protocol === "https:" ? "; Secure" : "");
    try {{ window.parent.document.cookie = cookie; }} catch (e) {{ document.cookie = cookie; }}
    </script>"""
    st.iframe(script, height=1, alt="keeps the workspace key in this browser")


def link(browser_key: str | None = None) -> str:
    """The workspace link: whoever opens it on Home gets this workspace."""
    base = (_base_url() or "").rstrip("/")
    return f"{base}/?{URL_KEY}={browser_key or key()}"


def _base_url() -> str | None:
    try:
        return st.context.url
    except Exception:
        return None


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


def open_published(entry_id: str) -> EmbeddingSpace:
    """A space from the class shelf; it comes back marked shared, so everything computed from it may be
    shared by the class."""
    return shelf().load(entry_id)


def _open(entry: SavedSpace, source: Workspace | PublishedShelf) -> None:
    with report_errors(f"open {entry.name}"):
        if isinstance(source, PublishedShelf):
            state.add_space(open_published(entry.id), origin=Loaded(entry.name, "published", id=entry.id))
        else:
            state.add_space(source.load(entry.id), origin=Loaded(entry.name, "saved"))
        st.rerun()


def _when(entry: SavedSpace) -> str:
    try:
        return datetime.fromisoformat(str(entry.saved_at)).strftime("%d %b %H:%M")
    except ValueError:
        return str(entry.saved_at)


def _show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        kind, message = notice
        getattr(st, kind)(plain(message))


def workspace_panel() -> None:
    """Home: the spaces saved in this browser's workspace, to reopen or delete; the workspace link."""
    mine = current()
    entries = mine.list()
    st.subheader("Your workspace")
    _show_notice()
    st.caption(
        "Uploads, trained and debiased spaces are saved here automatically, and you can save any loaded "
        "space. The workspace is private to this browser, which remembers it with a cookie; a reload "
        "brings back what you had loaded."
    )
    with st.expander("Open this workspace in another browser"):
        st.warning(
            "Whoever has this link can open and delete every space in this workspace. Keep it to yourself. "
            "To show a view to others, use **Copy link to this view** in the sidebar instead: it never "
            "contains this key."
        )
        st.code(link(), language=None)
    active = state.active_space()
    if active is not None and st.button(f"Save {plain(active.name)} to my workspace", key="save_active"):
        with report_errors(f"save {active.name}"):
            save(active)
            if state.origin_of(active.name) is None:
                state.set_origin(active.name, Loaded(active.name, "saved"))
            st.toast(f"Saved {plain(active.name)}.")
            st.rerun()
    if not entries:
        st.caption("Nothing saved yet.")
    for entry in entries:
        cols = st.columns([4, 1, 1])
        cols[0].markdown(f"**{plain(entry.name)}** · {entry.n:,} × {entry.dim} · saved {_when(entry)}")
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
            cols[0].markdown(f"**{plain(entry.name)}** · {entry.n:,} × {entry.dim} · published {_when(entry)}")
            if cols[1].button("Open", key=f"open_shared_{entry.id}"):
                _open(entry, shared)
    _teacher_controls(shared, entries)


def is_teacher() -> bool:
    return bool(st.session_state.get(TEACHER))


def publish_active() -> None:
    """Teacher: put the active space on the class shelf; from then on a view link can show it."""
    active = state.active_space()
    if active is None:
        return
    with report_errors(f"publish {active.name}"):
        entry_id = shelf().publish(active, by="teacher")
        state.spaces()[active.name] = active.with_source(shared=True)  # results from it are the class's now
        state.set_origin(active.name, Loaded(active.name, "published", id=entry_id))
        st.toast(f"Published {plain(active.name)}.")
        st.rerun()


@st.cache_resource(show_spinner=False)
def teacher_attempts() -> AttemptLimiter:
    """Wrong teacher codes, counted per browser session and for the whole server (one student
    opening many tabs meets the server's limit); lockouts double and are logged."""
    return AttemptLimiter(
        {"session": AttemptPolicy(max_failures=5), "server": AttemptPolicy(max_failures=10)},
        what="the teacher code",
    )


def _check_teacher_code() -> None:
    """Runs once per typed code (on_change), so reruns of the page do not count as new guesses."""
    typed = st.session_state.get("teacher_code") or ""
    code = os.environ.get("EMBEDDING_LAB_TEACHER_CODE", "")
    if not typed or not code:
        return
    limiter = teacher_attempts()
    scopes = [("session", cached.session_id() or "no-session"), ("server", "all")]
    wait = limiter.wait(scopes)
    if wait > 0:
        st.session_state["teacher_message"] = f"Too many wrong codes. Try again in {int(wait) + 1} s."
    elif hmac.compare_digest(typed.encode()[:200], code.encode()):
        limiter.succeeded(scopes)
        st.session_state[TEACHER] = True
        st.session_state.pop("teacher_message", None)
    else:
        limiter.failed(scopes)
        st.session_state["teacher_message"] = "That is not the teacher code."
    st.session_state["teacher_code"] = ""


def _teacher_controls(shared: PublishedShelf, entries: list[SavedSpace]) -> None:
    with st.expander("Teacher: publish a space to the class"):
        if not os.environ.get("EMBEDDING_LAB_TEACHER_CODE", ""):
            st.caption(
                "Start the server with EMBEDDING_LAB_TEACHER_CODE=some-secret to enable publishing. "
                "Published spaces are read-only copies every student can open from Home or from a view link."
            )
            return
        if not is_teacher():
            st.text_input("Teacher code", type="password", key="teacher_code", on_change=_check_teacher_code)
            if st.session_state.get("teacher_message"):
                st.error(st.session_state["teacher_message"])
            return
        active = state.active_space()
        if active is not None and st.button(f"Publish {plain(active.name)} to the class", key="publish_active"):
            publish_active()
        for entry in entries:
            if st.button(f"Withdraw {plain(entry.name)}", key=f"unpublish_{entry.id}"):
                with report_errors(f"withdraw {entry.name}"):
                    shared.unpublish(entry.id)
                    st.rerun()
