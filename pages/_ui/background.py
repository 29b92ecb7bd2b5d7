"""Heavy work from a page: a Run button that starts a background job, a progress bar that
refreshes itself while it runs, and the result (kept in the server's result cache) when done."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from app.errors import Cancelled, InputError
from app.runtime.limits import TooManyJobs
from pages._ui import cached

log = logging.getLogger("embedding_lab")


def background_result(
    *,
    slot: str,
    key: Hashable,
    label: str,
    work: Callable[..., Any],
    estimate_seconds: float,
    button_label: str,
    show_details: Callable[[list[dict]], None] | None = None,
) -> Any | None:
    """The cached result for ``key``; otherwise a Run button, then progress, then the result.

    ``work`` must be picklable (a module-level function or a ``functools.partial`` of one): it may
    run in a worker process. It is called with a ``progress`` keyword. ``slot`` names the page's
    job (one per browser per slot: starting a new one cancels the old). ``show_details`` draws the
    job's progress details (e.g. a live loss curve) under the progress bar.
    """
    results = cached.results()
    found = results.get(key)
    if found is not None:
        return found
    jobs: dict = st.session_state.setdefault(f"jobs_{slot}", {})
    job = jobs.get(key)
    if job is not None and not job.done:
        _watch(job, show_details)
        return None
    if job is not None:
        jobs.pop(key, None)
        try:
            value = job.result()
        except Cancelled:
            st.info(f"{label}: cancelled.")
        except InputError as exc:
            st.error(f"Could not finish {label}: {exc}")
        except Exception as exc:  # a bug of ours: one line for the user, the traceback in the log
            log.exception("background job failed: %s", label)
            st.error(f"{label} failed unexpectedly ({type(exc).__name__}: {exc}).")
        else:
            results.put(key, value)
            return value
    st.info(f"{label}: about {max(1, round(estimate_seconds))} s on this server. It runs in the background.")
    if st.button(button_label, type="primary", key=f"run_{slot}"):
        for other in jobs.values():
            other.cancel()
        jobs.clear()
        try:
            jobs[key] = cached.job_runner().submit(
                label, work, estimate_seconds=estimate_seconds, owner=cached.session_id(), browser=cached.browser_id()
            )
        except TooManyJobs as exc:  # this browser's other tabs hold its share of the queue
            st.warning(str(exc))
            return None
        st.rerun()
    return None


@st.fragment(run_every=0.5)
def _watch(job, show_details: Callable[[list[dict]], None] | None) -> None:
    """Progress of a running job, refreshed twice a second; the whole page reruns when it ends."""
    if job.done:
        st.rerun(scope="app")
    runner = cached.job_runner()
    position = runner.queue_position(job)
    if position:
        wait = runner.estimated_wait(job)
        st.progress(
            0.0,
            text=f"{job.label}: waiting for a free worker, number {position} in the queue "
            f"(about {max(1, round(wait))} s). The server runs {runner.max_workers} heavy jobs at a time.",
        )
    else:
        text = f"{job.label}: {job.message} · {job.elapsed:.0f} s (about {job.estimate_seconds:.0f} s expected)"
        st.progress(job.fraction, text=text)
        if show_details is not None and job.details:
            show_details(list(job.details))
    if st.button("Cancel", key=f"cancel_{job.id}"):
        job.cancel()
        st.rerun(scope="app")
