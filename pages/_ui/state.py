"""The session's spaces: ``st.session_state["spaces"]`` (by name), ``["active"]`` (a name) and
``["space_origins"]`` (by name: where each space can be found again, see app/store/session_record).

An origin is a built-in sample or a published space (shareable, by reference) or None for a
private space (an upload, a trained or debiased space), which the session saves to the
browser's workspace. Changes are announced to listeners (pages/_ui/session.py keeps the record
that brings the session back after a reload), so this module needs no disk access of its own.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app.space import EmbeddingSpace
from app.store.budgets import Budget, check_can_add
from app.store.caps import LOADED, ServerCaps
from app.store.session_record import Loaded

SPACES = "spaces"
ACTIVE = "active"
ORIGINS = "space_origins"
HOME = "streamlit_app.py"

_listeners: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` after every add or remove (registered once per server process)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _changed() -> None:
    for listener in _listeners:
        listener()


def spaces() -> dict[str, EmbeddingSpace]:
    """The spaces loaded in this browser session, by name, in load order."""
    return st.session_state.setdefault(SPACES, {})


def origins() -> dict[str, Loaded | None]:
    """Where each loaded space comes from, by name (None: private, not yet saved)."""
    return st.session_state.setdefault(ORIGINS, {})


def origin_of(name: str | None) -> Loaded | None:
    return origins().get(name) if name else None


def set_origin(name: str, origin: Loaded | None) -> None:
    origins()[name] = None if origin is None else Loaded(name, origin.kind, origin.sample, origin.n_words, origin.id)


def add_space(
    space: EmbeddingSpace, *, activate: bool = True, origin: Loaded | None = None, announce: bool = True
) -> str:
    """Keep ``space`` (renamed 'name (2)' if another space has its name) and, by default, make it active.

    ``origin`` says how to find it again (a sample or a published space); without one the space
    is private. Raises InputError when the session's budget (number of spaces, memory) would be exceeded.
    """
    loaded = spaces()
    check_can_add(Budget.from_env(), list(loaded.values()), space)
    LOADED.check_can_hold(ServerCaps.from_env(), space)
    name = space.name
    if name in loaded and loaded[name].fingerprint != space.fingerprint:
        number = 2
        while f"{space.name} ({number})" in loaded:
            number += 1
        name = f"{space.name} ({number})"
        space = space.renamed(name)
    if not (name in loaded and loaded[name].fingerprint == space.fingerprint and origin is None):
        set_origin(name, origin)  # the same space loaded again keeps what is known of it
    loaded[name] = space
    LOADED.hold(space)
    if activate or not st.session_state.get(ACTIVE):
        st.session_state[ACTIVE] = name
    if announce:
        _changed()
    return name


def remove_space(name: str) -> None:
    loaded = spaces()
    loaded.pop(name, None)
    origins().pop(name, None)
    if st.session_state.get(ACTIVE) == name:
        st.session_state[ACTIVE] = next(reversed(loaded), None) if loaded else None
    _changed()


def forget_all() -> None:
    """Empty the session (a browser adopting another workspace starts from that one's record)."""
    for key in (SPACES, ORIGINS, ACTIVE):
        st.session_state.pop(key, None)


def active_space() -> EmbeddingSpace | None:
    """The active space, or None when nothing is loaded."""
    name = st.session_state.get(ACTIVE)
    return spaces().get(name) if name else None


def require_space() -> EmbeddingSpace:
    """The active space; without one, a friendly pointer to Home and the page stops.

    A view link may name a built-in sample (``?sample=glove&n_words=20000``) or a published
    space (``?space=<id>``): page_setup loads it first, so a teacher's link opens the same view
    in a fresh browser.
    """
    space = active_space()
    if space is None:
        st.info("No embedding space is loaded yet. Load a built-in sample or upload vectors on the Home page.")
        st.page_link(HOME, label="Go to Home", icon=":material/home:")
        st.stop()
    return space
