"""Server-wide resources. Shared read-only samples live in st.cache_resource (their arrays are
read-only, so every session may share one copy); results are keyed on content fingerprints."""

from __future__ import annotations

import os
import threading
import time

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

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


CLOSED_TAB_GRACE_SECONDS = 20


def _stop_jobs_of_closed_sessions(runner: JobRunner) -> None:
    """Every few seconds, cancel the jobs whose session has been gone for the grace period (a page
    reload or a brief network blip reconnects within it; a closed tab does not)."""
    gone_since: dict[str, float] = {}
    while True:
        time.sleep(2)
        if not Runtime.exists():
            continue
        runtime = Runtime.instance()
        now = time.monotonic()
        for owner in {job.owner for job in runner.jobs() if job.owner}:
            if runtime.is_active_session(owner):
                gone_since.pop(owner, None)
            elif now - gone_since.setdefault(owner, now) >= CLOSED_TAB_GRACE_SECONDS:
                runner.cancel_owned_by(owner)
                gone_since.pop(owner, None)


@st.cache_resource(show_spinner=False)
def results() -> ResultCache:
    """Projections and distortion figures, keyed on (fingerprint, parameters)."""
    return ResultCache(max_entries=64)


def umap_warm_up() -> threading.Thread | None:
    """Compile umap-learn's numba kernels once per server process, in the background. With jobs in
    worker processes (the default) the runner's forkserver does it instead; this covers thread
    isolation, where UMAP runs in this process."""
    if os.environ.get("EMBEDDING_LAB_NO_WARMUP"):
        return None
    if job_runner().isolation != "thread":
        return None
    return warm_up_umap_in_background()
