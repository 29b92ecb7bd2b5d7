"""Heavy work from a page: a Run button that starts a background job, a progress bar that
refreshes itself while it runs, and the result when done. The result is kept in the server-wide
result cache when the caller says the data is shared (a built-in sample or corpus, a published
space, or anything made from them), so the next session asking for it gets it at once, and a
session asking while it is still running watches the same job; otherwise in this session's own
cache, where no other session looks.

A job that reports snapshots (``progress(..., layout=coords)``: a t-SNE or UMAP layout) can be watched
as it forms (a ``Preview``); cancelled, it leaves its last snapshot on the page, marked as stopped
early and never cached as the result."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from app.errors import Cancelled, InputError
from app.runtime import timing
from app.runtime.limits import TooManyJobs
from app.runtime.snapshots import Snapshot
from app.runtime.timing import Estimate, seconds_text
from pages._ui import cached

log = logging.getLogger("embedding_lab")
PREVIEW_SECONDS = 1.0  # how often a running job's picture is redrawn
STAGE = re.compile(r"\b(?:iteration|epoch) [\d,]+ of [\d,]+")


def stage(message: str) -> str:
    """Where a job was, from its progress message: "iteration 250 of 750" (else the whole message)."""
    found = STAGE.search(message)
    return found.group(0) if found else message


@dataclass(frozen=True)
class StoppedEarly:
    """The last snapshot of a job cancelled before it finished: what a page shows in its place."""

    job_id: str
    label: str
    snapshot: Snapshot

    @property
    def stage(self) -> str:
        return stage(self.snapshot.message)


@dataclass(frozen=True)
class Preview:
    """How a page watches a job's snapshots under ``key`` (e.g. "layout"): ``draw`` draws the latest
    while the job runs (refreshed every ``PREVIEW_SECONDS``); ``stopped`` turns the last one of a
    cancelled job into the value ``background_result`` returns instead of the result (never cached)."""

    key: str
    draw: Callable[[Snapshot], None]
    stopped: Callable[[StoppedEarly], Any]


@dataclass
class _SharedRun:
    job: Any
    watchers: set[str | None] = field(default_factory=set)


class _SharedRuns:
    """Running jobs whose results go to the server-wide cache, by key, with the sessions watching
    each: a session asking for a result another is computing watches that job instead of starting
    its own (a class pressing Run together computes it once), and a job is cancelled only when the
    last session watching it lets go."""

    def __init__(self) -> None:
        self._runs: dict[Hashable, _SharedRun] = {}
        self._lock = threading.Lock()

    def join_or_start(self, key: Hashable, start: Callable[[], Any]) -> Any:
        me = cached.session_id()
        with self._lock:
            for done in [k for k, run in self._runs.items() if run.job.done]:
                del self._runs[done]
            run = self._runs.get(key)
            if run is None:
                run = self._runs[key] = _SharedRun(start())
            run.watchers.add(me)
            return run.job

    def let_go(self, job: Any) -> None:
        """This session stops watching ``job``: cancel it unless another session still watches it."""
        me = cached.session_id()
        with self._lock:
            run = next((run for run in self._runs.values() if run.job is job), None)
            if run is not None:
                run.watchers.discard(me)
                if run.watchers:
                    return
        job.cancel()


@st.cache_resource(show_spinner=False)
def _shared_runs() -> _SharedRuns:
    return _SharedRuns()


def background_result(
    *,
    slot: str,
    key: Hashable,
    shared: bool,
    label: str,
    work: Callable[..., Any],
    estimate: Estimate | None = None,
    records_itself: bool = False,
    button_label: str,
    show_details: Callable[[list[dict]], None] | None = None,
    preview: Preview | None = None,
) -> Any | None:
    """The cached result for ``key``; otherwise a Run button, then progress, then the result.

    ``estimate`` (from the job's own estimator in ``app/``) is shown before and during the run, and
    the run's time goes back into this machine's timings of its kind when it succeeds, so the next
    estimate learns from it (``app.runtime.timing``), unless ``records_itself``: work that records
    its own time where it runs (a projection does, in its process), so one run is never counted twice.

    ``shared`` says whether everything the result is computed from is shared (``space.shared``,
    ``corpus.shared``, ``all_shared(...)``); it picks the cache (see ``cached.results``).

    ``work`` must be picklable (a module-level function or a ``functools.partial`` of one): it may
    run in a worker process. It is called with a ``progress`` keyword. ``slot`` names the page's
    job (one per browser per slot: starting a new one lets go of the old, which is cancelled unless
    another session watches it). ``show_details`` draws the job's progress details (e.g. a live loss
    curve) under the progress bar. ``preview`` draws the job's latest snapshot while it runs and,
    after a cancel, returns ``preview.stopped(...)`` of the last one until the next Run.
    """
    results = cached.results(shared=shared)
    found = results.get(key)
    if found is not None:
        return found
    jobs: dict = st.session_state.setdefault(f"jobs_{slot}", {})
    job = jobs.get(key)
    if job is not None and not job.done:
        _watch(job, show_details)
        if preview is not None:
            _preview(job, preview, slot)
        return None
    if job is not None:
        jobs.pop(key, None)
        st.session_state.pop(f"preview_{slot}", None)
        try:
            value = job.result()
        except Cancelled:
            last = job.latest(preview.key) if preview is not None else None
            if last is None:
                st.info(f"{label}: cancelled.")
            else:  # one per slot: the picture stays until the next Run
                st.session_state[f"stopped_{slot}"] = (key, StoppedEarly(job.id, label, last))
        except InputError as exc:
            st.error(f"Could not finish {label}: {exc}")
        except Exception as exc:  # a bug of ours: one line for the user, the traceback in the log
            log.exception("background job failed: %s", label)
            st.error(f"{label} failed unexpectedly ({type(exc).__name__}: {exc}).")
        else:
            results.put(key, value)
            return value
    if estimate is None:
        estimate = Estimate(0.0, certain=True)
    about = estimate.text()
    kept = st.session_state.get(f"stopped_{slot}")
    stopped = kept[1] if kept is not None and kept[0] == key and preview is not None else None
    if stopped is not None:
        st.warning(
            f"{label} was cancelled at {stopped.stage}: what you see is where it had got to, not the finished "
            f"result. Run it again for the finished one ({about}; it starts from the beginning)."
        )
    else:
        st.info(f"{label}: {about}. It runs in the background.")
    if st.button(button_label, type="primary", key=f"run_{slot}"):
        st.session_state.pop(f"stopped_{slot}", None)
        for other in jobs.values():
            _shared_runs().let_go(other)
        jobs.clear()

        def start() -> Any:
            job = cached.job_runner().submit(
                label, work, estimate_seconds=estimate.seconds, owner=cached.session_id(), browser=cached.browser_id()
            )
            if not records_itself:
                job.future.add_done_callback(lambda future: _learn_from(job, future, estimate))
            return job

        try:
            jobs[key] = _shared_runs().join_or_start(key, start) if shared else start()
        except TooManyJobs as exc:  # this browser's other tabs hold its share of the queue
            st.warning(str(exc))
            return None
        st.rerun()
    if stopped is not None and preview is not None:
        return preview.stopped(stopped)
    return None


def _learn_from(job: Any, future: Any, estimate: Estimate) -> None:
    """A finished run's time goes into this machine's timings of its kind (not a failed or cancelled one)."""
    if not future.cancelled() and future.exception() is None:
        timing.record_run(estimate, job.elapsed)


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
            f"({seconds_text(wait)}). The server runs {runner.max_workers} heavy jobs at a time.",
        )
    else:
        text = f"{job.label}: {job.message} · {job.elapsed:.0f} s ({seconds_text(job.estimate_seconds)} expected)"
        st.progress(job.fraction, text=text)
        if show_details is not None and job.details:
            show_details(list(job.details))
    if st.button("Cancel", key=f"cancel_{job.id}"):
        _shared_runs().let_go(job)
        st.rerun(scope="app")


@st.fragment(run_every=PREVIEW_SECONDS)
def _preview(job, preview: Preview, slot: str) -> None:
    """The running job's latest snapshot, redrawn every second without rerunning the page. The last
    one drawn is remembered, so the picture does not blink out when the job ends (its result drops
    the snapshot) before the page reruns."""
    remembered = f"preview_{slot}"
    snapshot = job.latest(preview.key)
    if snapshot is not None:
        st.session_state[remembered] = (job.id, snapshot)
    else:
        last = st.session_state.get(remembered)
        snapshot = last[1] if last is not None and last[0] == job.id and job.done else None
    if snapshot is None:  # none yet (or the work sends none): the progress bar says enough
        return
    preview.draw(snapshot)
    st.caption(f"{job.label} still running: {stage(snapshot.message)}, the picture is still moving.")
