"""Server-wide resources. Shared read-only samples live in st.cache_resource (their arrays are
read-only, so every session may share one copy); results are keyed on content fingerprints."""

from __future__ import annotations

import logging
import os
import threading

import streamlit as st

from app.jobs import JobRunner, ResultCache
from app.projection import warm_up_umap
from app.samples import load_sample
from app.space import EmbeddingSpace

log = logging.getLogger("embedding_lab")


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


@st.cache_resource(show_spinner=False)
def umap_warm_up() -> threading.Thread | None:
    """Compile umap-learn's numba kernels in the background once per server (about 40 s of
    compilation that would otherwise land on the first student to press Run)."""
    if os.environ.get("EMBEDDING_LAB_NO_WARMUP"):
        return None

    def warm() -> None:
        try:
            log.info("UMAP warm-up finished in %.1f s", warm_up_umap())
        except Exception:  # a failed warm-up only means a slower first run
            log.exception("UMAP warm-up failed")

    thread = threading.Thread(target=warm, name="umap-warm-up", daemon=True)
    thread.start()
    return thread
