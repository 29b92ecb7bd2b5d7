"""Server-wide resources. Shared read-only samples live in st.cache_resource (their arrays are
read-only, so every session may share one copy); results are keyed on content fingerprints."""

from __future__ import annotations

import os
import threading

import streamlit as st

from app.jobs import JobRunner, ResultCache
from app.projection import warm_up_umap_in_background
from app.samples import load_sample
from app.space import EmbeddingSpace


@st.cache_resource(max_entries=8, show_spinner=False)
def sample(key: str, n_words: int) -> EmbeddingSpace:
    """A built-in sample, loaded once per server and shared by all sessions."""
    return load_sample(key, n_words)


@st.cache_resource(show_spinner=False)
def job_runner() -> JobRunner:
    """One bounded runner per server: at most one heavy job per core at a time."""
    return JobRunner()


@st.cache_resource(show_spinner=False)
def results() -> ResultCache:
    """Projections and distortion figures, keyed on (fingerprint, parameters)."""
    return ResultCache(max_entries=64)


def umap_warm_up() -> threading.Thread | None:
    """Compile umap-learn's numba kernels in the background once per server process (about 40 s
    that would otherwise land on the first student to press Run). `make run` starts it before the
    server; this call covers servers started with plain `streamlit run`."""
    if os.environ.get("EMBEDDING_LAB_NO_WARMUP"):
        return None
    return warm_up_umap_in_background()
