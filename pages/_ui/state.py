"""The session's spaces: ``st.session_state["spaces"]`` (by name) and ``["active"]`` (a name)."""

from __future__ import annotations

import streamlit as st

from app.space import EmbeddingSpace
from app.store.budgets import Budget, check_can_add
from app.store.caps import LOADED, ServerCaps

SPACES = "spaces"
ACTIVE = "active"
HOME = "streamlit_app.py"


def spaces() -> dict[str, EmbeddingSpace]:
    """The spaces loaded in this browser session, by name, in load order."""
    return st.session_state.setdefault(SPACES, {})


def add_space(space: EmbeddingSpace, *, activate: bool = True) -> str:
    """Keep ``space`` (renamed 'name (2)' if another space has its name) and, by default, make it active.

    Raises InputError when the session's budget (number of spaces, memory) would be exceeded.
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
    loaded[name] = space
    LOADED.hold(space)
    if activate or not st.session_state.get(ACTIVE):
        st.session_state[ACTIVE] = name
    return name


def remove_space(name: str) -> None:
    loaded = spaces()
    loaded.pop(name, None)
    if st.session_state.get(ACTIVE) == name:
        st.session_state[ACTIVE] = next(reversed(loaded), None) if loaded else None


def active_space() -> EmbeddingSpace | None:
    """The active space, or None when nothing is loaded."""
    name = st.session_state.get(ACTIVE)
    return spaces().get(name) if name else None


def require_space() -> EmbeddingSpace:
    """The active space; without one, a friendly pointer to Home and the page stops.

    A shared link may name a built-in sample (``?sample=glove&n_words=20000``): it is loaded
    here, so a teacher's link opens the same view in a fresh browser.
    """
    space = active_space()
    if space is None:
        st.info("No embedding space is loaded yet. Load a built-in sample or upload vectors on the Home page.")
        st.page_link(HOME, label="Go to Home", icon=":material/home:")
        st.stop()
    return space


def load_sample_from_url() -> EmbeddingSpace | None:
    """When nothing is loaded and the URL names a built-in sample, load it (shared links)."""
    if active_space() is not None:
        return None
    return _sample_from_url()


def _sample_from_url() -> EmbeddingSpace | None:
    from app.errors import InputError
    from app.io.samples import GLOVE_DEFAULT
    from pages._ui import cached

    key = st.query_params.get("sample")
    if not key:
        return None
    try:
        n_words = int(st.query_params.get("n_words", GLOVE_DEFAULT))
        space = cached.sample(key, n_words if key == "glove" else 0)
        add_space(space)
    except (InputError, ValueError):
        return None
    return space
