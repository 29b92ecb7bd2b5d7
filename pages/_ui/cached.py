"""Caches. Shared read-only samples live in st.cache_resource (their arrays are read-only,
so every session may share one copy); nothing user-specific is cached here."""

from __future__ import annotations

import streamlit as st

from app.samples import load_sample
from app.space import EmbeddingSpace


@st.cache_resource(max_entries=8, show_spinner=False)
def sample(key: str, n_words: int) -> EmbeddingSpace:
    """A built-in sample, loaded once per server and shared by all sessions."""
    return load_sample(key, n_words)
