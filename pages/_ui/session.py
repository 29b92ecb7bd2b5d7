"""A session that survives a reload (F5) and a reconnect, and the data a view link names.

After every change the session's record (app/store/session_record.py) is written into this
browser's workspace: samples and published spaces by reference, private spaces (uploads,
trained, debiased) saved in the workspace and named. A new session of the same browser (its
cookie carries the key) reads the record back before the page draws. A view link names only
shareable data: ``?sample=glove&n_words=20000`` or ``?space=<published id>``.
"""

from __future__ import annotations

import logging

import streamlit as st

from app.errors import InputError
from app.io.samples import GLOVE_DEFAULT
from app.space import EmbeddingSpace
from app.store import session_record
from app.store.session_record import Loaded, SessionRecord
from pages._ui import cached, state, workspace
from pages._ui.text import plain

RESTORED = "session_restored"
WRITTEN = "session_record_written"
DATA_KEYS = ("sample", "n_words", "space")
SHAREABLE = ("sample", "published")

log = logging.getLogger("embedding_lab")


def start(*, workspace_link: bool = False) -> None:
    """Once per session (and again after adopting a workspace): bring back what this browser had
    loaded, then open the data the address names. Every run: keep the key out of the address."""
    adopted = workspace.adopt_from_link() if workspace_link else False
    if not workspace_link:
        workspace.drop_link_elsewhere()
    if adopted:
        st.session_state.pop(RESTORED, None)
    if st.session_state.get(RESTORED):
        return
    st.session_state[RESTORED] = True
    _restore()
    _open_linked_data()


def _restore() -> None:
    """Load the spaces of this browser's session record (the active one last, so it stays active)."""
    record = session_record.read(workspace.current().path)
    st.session_state[WRITTEN] = record
    missing = []
    for item in record.spaces:
        try:
            state.add_space(_fetch(item), activate=False, origin=item, announce=False)
        except (InputError, OSError, ValueError) as exc:
            log.info("could not bring back %r after a reload: %s", item.name, exc)
            missing.append(item.name)
    if record.active in state.spaces():
        st.session_state[state.ACTIVE] = record.active
    if missing:
        st.toast(plain("Could not bring back " + ", ".join(missing) + " (removed or changed since)."))


def _fetch(item: Loaded) -> EmbeddingSpace:
    if item.kind == "sample":
        return cached.sample(item.sample, item.n_words)
    if item.kind == "published":
        return workspace.open_published(item.id)
    mine = workspace.current()
    for entry in mine.list():
        if entry.name == item.name:
            return mine.load(entry.id)
    raise InputError(f"{item.name!r} is no longer saved in this workspace")


def _open_linked_data() -> None:
    """A view link's data (a built-in sample, a published space) is loaded and made active."""
    params = st.query_params
    try:
        if params.get("space"):
            entry_id = params["space"]
            space = workspace.open_published(entry_id)
            state.add_space(space, origin=Loaded(space.name, "published", id=entry_id))
        elif params.get("sample"):
            key = params["sample"]
            n_words = int(params.get("n_words", GLOVE_DEFAULT)) if key == "glove" else 0
            space = cached.sample(key, n_words)
            state.add_space(space, origin=sample_origin(space, key))
    except (InputError, ValueError) as exc:
        st.warning(plain(f"This link names data this server cannot open ({exc})."))


def sample_origin(space: EmbeddingSpace, key: str) -> Loaded:
    """How to load a built-in sample again: its key and, for GloVe, its number of words."""
    return Loaded(space.name, "sample", sample=key, n_words=int(space.source.get("sample_words") or 0))


def remember() -> None:
    """Save private spaces not saved yet, then write the session record when it changed."""
    if not st.session_state.get(RESTORED):
        return  # not started yet (a page that skipped page_setup): nothing to compare with
    for name, space in state.spaces().items():
        if state.origin_of(name) is None:
            state.set_origin(name, _known_sample(space))
        if state.origin_of(name) is None:
            _keep_private(name, space)
    record = SessionRecord(
        spaces=tuple(o for o in state.origins().values() if o is not None and o.kind in session_record.KINDS),
        active=st.session_state.get(state.ACTIVE),
    )
    written = st.session_state.get(WRITTEN) or SessionRecord()
    if record == written:
        return
    try:
        session_record.write(workspace.current().path, record)
        st.session_state[WRITTEN] = record
    except OSError as exc:
        log.warning("could not write the session record: %s", exc)


def _known_sample(space: EmbeddingSpace) -> Loaded | None:
    """The sample's origin when ``space`` is a built-in sample exactly as shipped (a debiased or
    otherwise derived space keeps the sample in its provenance but has another fingerprint)."""
    key = space.source.get("sample")
    if not isinstance(key, str):
        return None
    try:
        shipped = cached.sample(key, int(space.source.get("sample_words") or 0))
    except (InputError, ValueError):
        return None
    return sample_origin(space, key) if shipped.fingerprint == space.fingerprint else None


def _keep_private(name: str, space: EmbeddingSpace) -> None:
    try:
        workspace.save(space)
        state.set_origin(name, Loaded(name, "saved"))
    except InputError as exc:
        state.set_origin(name, Loaded(name, "unsaved"))
        st.toast(plain(f"{name} is not kept for a reload: {exc}"))


state.on_change(remember)


def show_data_in_address() -> None:
    """The address names the active space when it is shareable, and no data otherwise."""
    origin = state.origin_of(st.session_state.get(state.ACTIVE))
    wanted: dict[str, str] = {}
    if origin is not None and origin.kind == "sample":
        wanted["sample"] = origin.sample
        if origin.n_words:
            wanted["n_words"] = str(origin.n_words)
    elif origin is not None and origin.kind == "published":
        wanted["space"] = origin.id
    for key in DATA_KEYS:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            st.query_params.pop(key)


def shareable() -> bool:
    """True when a view link can show the active space to another browser (or nothing is loaded)."""
    origin = state.origin_of(st.session_state.get(state.ACTIVE))
    return state.active_space() is None or (origin is not None and origin.kind in SHAREABLE)
