"""Page settings in the URL query string, so a shared link reopens the same view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

MAX_VALUE_CHARS = 1_000


def bind(key: str, default: Any, cast: Callable[[str], Any] | None = None) -> None:
    """Give widget ``key`` its first value from the URL (if present and valid), else ``default``."""
    if key in st.session_state:
        return
    raw = st.query_params.get(key)
    value = default
    if raw is not None:
        try:
            value = (cast or type(default))(raw)
        except (TypeError, ValueError):
            value = default
    st.session_state[key] = value


def publish(keys: list[str]) -> None:
    """Write the current values of ``keys`` into the URL (long values are left out)."""
    for key in keys:
        value = st.session_state.get(key)
        if value is None or value == "" or len(str(value)) > MAX_VALUE_CHARS:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)


def one_of(options: list[str]) -> Callable[[str], str]:
    """A cast that accepts only the given options (anything else falls back to the default)."""

    def cast(raw: str) -> str:
        if raw not in options:
            raise ValueError(raw)
        return raw

    return cast


def flag(raw: str) -> bool:
    """A cast for an on/off setting, as ``publish`` writes it ("True" or "False")."""
    if raw not in ("True", "False"):
        raise ValueError(raw)
    return raw == "True"


def between(cast: Callable[[str], Any], low: float, high: float) -> Callable[[str], Any]:
    """A cast that accepts only values from ``low`` to ``high`` (anything else falls back to the default)."""

    def parse(raw: str) -> Any:
        value = cast(raw)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse
