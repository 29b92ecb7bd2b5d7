"""Server-wide resources: shared read-only samples in st.cache_resource (their arrays are read-only,
so every session may share one copy), the job runner, and result caches keyed on fingerprints
(server-wide for data whose provenance says it is shared, per session for a student's own)."""

from __future__ import annotations

import os
import threading
import time

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app.io.samples import load_sample
from app.projection.methods import warm_up_umap_in_background
from app.runtime.browser import XSRF_COOKIE, browser_id_from_xsrf
from app.runtime.cache import ResultCache
from app.runtime.jobs import JobRunner
from app.runtime.owners import OwnerWatch
from app.space import EmbeddingSpace


@st.cache_resource(max_entries=8, show_spinner=False)
def sample(key: str, n_words: int) -> EmbeddingSpace:
    """A built-in sample, loaded once per server and shared by all sessions."""
    return load_sample(key, n_words)


@st.cache_resource(show_spinner=False)
def job_runner() -> JobRunner:
    """One bounded runner per server: at most one heavy job per core at a time, each in its own
    worker process (EMBEDDING_LAB_JOB_ISOLATION=thread keeps them in this process, as page tests do).
    A watchdog stops the jobs of sessions whose browser tab has closed."""
    isolation = os.environ.get("EMBEDDING_LAB_JOB_ISOLATION", "process")
    runner = JobRunner(isolation=isolation)
    runner.start()  # warms the worker processes up (a no-op when `make run` already did)
    threading.Thread(target=_stop_jobs_of_closed_sessions, args=(runner,), daemon=True, name="job-watchdog").start()
    return runner


def session_id() -> str | None:
    """This browser session's id (the owner of the jobs it starts)."""
    context = get_script_run_ctx()
    return context.session_id if context else None


def browser_id() -> str | None:
    """An id for this browser, the same in all its tabs (the jobs cap counts per browser): a hash of
    the token in Streamlit's XSRF cookie, which the browser keeps for every tab. None without it."""
    try:
        cookie = st.context.cookies.get(XSRF_COOKIE)
    except Exception:  # no browser behind this run (AppTest, a bare script)
        return None
    return browser_id_from_xsrf(cookie)


def _stop_jobs_of_closed_sessions(runner: JobRunner) -> None:
    """Every 2 s, cancel the jobs of sessions whose tab has been closed for 20 s."""
    watch = OwnerWatch(runner, grace=20.0)
    while True:
        time.sleep(2)
        if Runtime.exists():
            watch.check(Runtime.instance().is_active_session)


@st.cache_resource(show_spinner=False)
def _shared_results() -> ResultCache:
    """Results computed from shared data (built-in samples and corpora, published spaces)."""
    return ResultCache(max_entries=64)


def _session_results() -> ResultCache:
    return st.session_state.setdefault("results", ResultCache(max_entries=16))


def results(*, shared: bool) -> ResultCache:
    """Where results go (projections, statistics, trained models..., keyed on fingerprints and
    parameters): the server-wide cache when everything they were computed from is shared
    (``space.shared``, ``corpus.shared``, ``all_shared(...)``), so a class computes each of them
    once; this session's own small cache otherwise, so nothing computed from a student's upload
    is kept where other sessions look. The caller says which; the key is never inspected."""
    return _shared_results() if shared else _session_results()


def umap_warm_up() -> threading.Thread | None:
    """Compile umap-learn's numba kernels once per server process, in the background. With jobs in
    worker processes (the default) the runner's forkserver does it instead; this covers thread
    isolation, where UMAP runs in this process."""
    if os.environ.get("EMBEDDING_LAB_NO_WARMUP"):
        return None
    if job_runner().isolation != "thread":
        return None
    return warm_up_umap_in_background()
