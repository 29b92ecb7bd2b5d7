"""Heavy work from a page: a Run button that starts a background job, a progress bar that
refreshes itself while it runs, and the result (kept in the server's result cache) when done."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from app.errors import InputError
from app.projection import Cancelled, Progress
from pages._ui import cached

log = logging.getLogger("embedding_lab")


def background_result(
    *,
    slot: str,
    key: Hashable,
    label: str,
    work: Callable[[Progress], Any],
    estimate_seconds: float,
    button_label: str,
) -> Any | None:
    """The cached result for ``key``; otherwise a Run button, then progress, then the result.

    ``slot`` names the page's job (one per browser per slot: starting a new one cancels the old).
    """
    results = cached.results()
    found = results.get(key)
    if found is not None:
        return found
    jobs: dict = st.session_state.setdefault(f"jobs_{slot}", {})
    job = jobs.get(key)
    if job is not None and not job.done:
        _watch(job)
        return None
    if job is not None:
        jobs.pop(key, None)
        try:
            return job.result()
        except Cancelled:
            st.info(f"{label}: cancelled.")
        except InputError as exc:
            st.error(f"Could not finish {label}: {exc}")
        except Exception as exc:  # a bug of ours: one line for the user, the traceback in the log
            log.exception("background job failed: %s", label)
            st.error(f"{label} failed unexpectedly ({type(exc).__name__}: {exc}).")
    st.info(f"{label}: about {max(1, round(estimate_seconds))} s on this server. It runs in the background.")
    if st.button(button_label, type="primary", key=f"run_{slot}"):
        for other in jobs.values():
            other.cancel()
        jobs.clear()

        def run(progress: Progress) -> Any:
            value = work(progress)
            results.put(key, value)
            return value

        jobs[key] = cached.job_runner().submit(label, run, estimate_seconds=estimate_seconds)
        st.rerun()
    return None


@st.fragment(run_every=0.5)
def _watch(job) -> None:
    """Progress of a running job, refreshed twice a second; the whole page reruns when it ends."""
    if job.done:
        st.rerun(scope="app")
    position = cached.job_runner().queue_position(job)
    if position:
        st.progress(0.0, text=f"{job.label}: waiting for a free worker ({position} ahead in the queue)")
    else:
        text = f"{job.label}: {job.message} · {job.elapsed:.0f} s (about {job.estimate_seconds:.0f} s expected)"
        st.progress(job.fraction, text=text)
    if st.button("Cancel", key=f"cancel_{job.id}"):
        job.cancel()
        st.rerun(scope="app")
