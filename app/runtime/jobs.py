"""Heavy work off the Streamlit script thread: a fair, bounded queue of jobs with progress, caps and cancel.

A job is any function that takes a ``progress(fraction, message, **detail)`` keyword; its details
are kept in order (a loss curve), except snapshots (``layout=coords``, see ``app.runtime.snapshots``),
of which a job keeps only the latest (``Job.latest``). At most
``max_workers`` jobs (default: one per core) run at once. Waiting jobs take turns between their
owners (round-robin: the browser served least recently goes next; one browser's jobs in the order
it submitted them), so one student cannot starve the class; and one browser may have at most
``max_jobs_per_owner`` jobs queued or running (EMBEDDING_LAB_MAX_JOBS_PER_BROWSER, default 2):
``submit`` refuses more with ``TooManyJobs``. Each job has a wall-time and memory cap
(``app.runtime.limits.JobLimits``), an owner (the browser session that started it:
``cancel_owned_by`` stops a closed session's jobs), the browser it counts against, and a cancel switch.

Where a job runs is a ``Backend`` (``app.runtime.backends``): a worker process per job (the
server's default, ``isolation="process"``), a thread of this process (``"thread"``: tests, cheap
work), or any ``concurrent.futures.Executor`` (``JobRunner(executor)``, e.g. a Dask cluster's).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from app.errors import Cancelled
from app.runtime.backends import Backend, ExecutorBackend, ThreadBackend
from app.runtime.limits import (
    SUGGESTION,
    JobLimitExceeded,
    JobLimits,
    RemoteTraceback,
    TooManyJobs,
    WorkerCrashed,
    format_bytes,
    max_jobs_per_owner_from_env,
)
from app.runtime.processes import ProcessBackend
from app.runtime.snapshots import Snapshot, portable, read_only, split

__all__ = [
    "Job",
    "JobLimitExceeded",
    "JobLimits",
    "JobRunner",
    "RemoteTraceback",
    "Snapshot",
    "TooManyJobs",
    "WorkerCrashed",
]

MAX_DETAILS = 10_000  # per job; beyond it every other detail is dropped, so a long curve keeps its shape
BACKENDS: dict[str, Callable[[], Backend]] = {"process": ProcessBackend, "thread": ThreadBackend}


@dataclass
class Job:
    """One submitted piece of work: its progress, its future, its owner and a cancel switch."""

    label: str
    estimate_seconds: float = 0.0
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    fraction: float = 0.0
    message: str = "waiting for a free worker"
    started_at: float | None = None
    future: Future | None = None
    owner: str | None = None
    """The browser session (tab) that started it: its jobs stop when it goes away."""
    browser: str | None = None
    """The browser it counts against (all its tabs); None: the owner."""
    limits: JobLimits = field(default_factory=JobLimits)
    details: list[dict] = field(default_factory=list)
    """The ``detail`` keywords of every progress report that had some, in order (e.g. a loss curve),
    except snapshot keys (``app.runtime.snapshots``: a layout), of which only the latest is kept."""
    _snapshots: dict[str, Snapshot] = field(default_factory=dict)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _deadline: float | None = None  # thread backend: the time cap, checked at each report

    @property
    def quota_key(self) -> str | None:
        """Whose turn and whose cap this job counts in: its browser, else its owner."""
        return self.browser if self.browser is not None else self.owner

    def report(self, fraction: float, message: str, **detail: Any) -> None:
        """The progress callback handed to work in a thread; it stops the work once cancelled
        (``Cancelled``) or over its time cap (``JobLimitExceeded``)."""
        if self._cancel.is_set():
            raise Cancelled(self.label)
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise self.over_time()
        history, latest = split(detail)
        self.update(fraction, message, {**history, **{key: portable(value) for key, value in latest.items()}})

    def update(self, fraction: float, message: str, detail: dict) -> None:
        """Record a progress report (from whichever backend runs the work): a snapshot key replaces
        the job's previous one; the other details join the history."""
        self.fraction, self.message = max(0.0, min(1.0, fraction)), message
        detail, latest = split(detail)
        for key, value in latest.items():
            previous = self._snapshots.get(key)
            number = 1 if previous is None else previous.number + 1
            self._snapshots[key] = Snapshot(read_only(value), self.fraction, message, number, self.elapsed)
        if detail:
            if len(self.details) >= MAX_DETAILS:
                del self.details[::2]
            self.details.append(dict(detail))

    def latest(self, key: str) -> Snapshot | None:
        """The newest snapshot reported under ``key`` (e.g. "layout"), if any: kept after a cancel,
        dropped once the job has finished (its result supersedes it)."""
        return self._snapshots.get(key)

    def cancel(self) -> None:
        """Stop the job: a waiting job never runs; a running one is stopped (see its backend)."""
        self._cancel.set()
        if self.future is not None:
            self.future.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self.future is not None and self.future.done()

    @property
    def elapsed(self) -> float:
        return 0.0 if self.started_at is None else time.monotonic() - self.started_at

    def seconds_left(self) -> float:
        """What is left of a running job's estimate; an overdue one is guessed to need half as long again."""
        elapsed = self.elapsed
        return self.estimate_seconds - elapsed if elapsed < self.estimate_seconds else 0.5 * elapsed

    def result(self, timeout: float | None = None) -> Any:
        """The work's return value; re-raises its exception (InputError, Cancelled, ...)."""
        assert self.future is not None
        try:
            return self.future.result(timeout)
        except CancelledError:  # cancelled while still waiting: it never ran
            raise Cancelled(self.label) from None

    def over_time(self) -> JobLimitExceeded:
        return JobLimitExceeded(
            f"{self.label} took longer than the {self.limits.max_seconds:g} s limit for one job on this server; "
            f"{SUGGESTION}"
        )

    def over_memory(self) -> JobLimitExceeded:
        if self.limits.max_memory_bytes is None:
            return JobLimitExceeded(f"{self.label} ran out of memory; {SUGGESTION}")
        return JobLimitExceeded(
            f"{self.label} needed more than the {format_bytes(self.limits.max_memory_bytes)} memory limit "
            f"for one job on this server; {SUGGESTION}"
        )


@dataclass
class _Queued:
    job: Job
    work: Callable[..., Any]
    args: tuple
    kwargs: dict
    number: int  # submission order


class JobRunner:
    """At most ``max_workers`` jobs run at once; the others wait, taking turns between browsers.

    ``executor``: run each job with ``executor.submit`` instead (``isolation`` is then ignored).
    ``limits``: the default caps; ``submit`` can override them per job. ``max_jobs_per_owner``:
    queued-or-running jobs one browser may have (None: EMBEDDING_LAB_MAX_JOBS_PER_BROWSER, default 2).
    """

    def __init__(
        self,
        executor: Executor | None = None,
        max_workers: int | None = None,
        *,
        isolation: str = "process",
        limits: JobLimits | None = None,
        max_jobs_per_owner: int | None = None,
    ) -> None:
        if executor is None and isolation not in BACKENDS:
            raise ValueError(f"isolation must be one of {', '.join(map(repr, BACKENDS))}, got {isolation!r}")
        self.max_workers = max_workers or os.cpu_count() or 1
        self.backend: Backend = ExecutorBackend(executor) if executor is not None else BACKENDS[isolation]()
        self.limits = limits or JobLimits()
        self.max_jobs_per_owner = max_jobs_per_owner or max_jobs_per_owner_from_env()
        self._slots = ThreadPoolExecutor(self.max_workers, thread_name_prefix="embedding-lab-job")
        self.executor = executor if executor is not None else self._slots
        self._waiting: list[_Queued] = []
        self._running: list[Job] = []
        self._last_turn: dict[str | None, int] = {}  # per browser: when it last had a job started
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def isolation(self) -> str:
        """Where jobs run: "process", "thread" or "executor"."""
        return self.backend.name

    def start(self) -> None:
        """Start whatever the backend warms up (the worker processes), so no student waits for it."""
        self.backend.start()

    def submit(
        self,
        label: str,
        work: Callable[..., Any],
        *args: Any,
        estimate_seconds: float = 0.0,
        max_seconds: float | None = None,
        max_memory_bytes: int | None = None,
        owner: str | None = None,
        browser: str | None = None,
        **kwargs: Any,
    ) -> Job:
        """Queue ``work(*args, progress=..., **kwargs)`` and return its Job at once.

        ``max_seconds`` / ``max_memory_bytes`` override the runner's limits for this job (None:
        the runner's); ``owner`` is an opaque session id for ``cancel_owned_by``; ``browser`` the
        browser the job counts against (default: the owner). Raises ``TooManyJobs`` when that
        browser already has ``max_jobs_per_owner`` jobs queued or running.
        """
        limits = JobLimits(
            self.limits.max_seconds if max_seconds is None else max_seconds,
            self.limits.max_memory_bytes if max_memory_bytes is None else max_memory_bytes,
        )
        self.backend.check(label, work)
        job = Job(label, estimate_seconds, owner=owner, browser=browser, limits=limits, future=Future())
        with self._lock:
            self._refuse_over_cap(job)
            self._waiting.append(_Queued(job, work, args, kwargs, next(self._numbers)))
        assert job.future is not None
        job.future.add_done_callback(lambda _: self._forget(job))  # a job cancelled before it started
        self.backend.start()
        self._dispatch()
        return job

    def queue_position(self, job: Job) -> int:
        """0 when running (or done); otherwise its place in the queue (1 = next)."""
        with self._lock:
            order = self._order()
        return order.index(job) + 1 if job in order else 0

    def estimated_wait(self, job: Job) -> float:
        """Seconds until ``job`` starts, roughly: the work ahead of it spread over the workers.

        That is (what is left of the running jobs' estimates, see ``Job.seconds_left``, + the
        estimates of the jobs queued ahead of it) / max_workers; 0 once it runs.
        """
        with self._lock:
            order = self._order()
            if job not in order:
                return 0.0
            running_left = sum(other.seconds_left() for other in self._running)
        queued = sum(other.estimate_seconds for other in order[: order.index(job)])
        return (running_left + queued) / self.max_workers

    def jobs(self) -> list[Job]:
        """The live jobs: running ones first, then the waiting ones in the order they will start."""
        with self._lock:
            return [*self._running, *self._order()]

    def cancel_owned_by(self, owner: str) -> int:
        """Cancel every live job of ``owner`` (a closed browser session); returns how many."""
        mine = [job for job in self.jobs() if job.owner == owner]
        for job in mine:
            job.cancel()
        return len(mine)

    def shutdown(self, wait: bool = True) -> None:
        """Cancel every live job and stop the runner (a given executor is the caller's to shut down)."""
        with self._lock:
            self._closed = True
        for job in self.jobs():
            job.cancel()
        self._slots.shutdown(wait=wait, cancel_futures=True)

    # --- the queue ------------------------------------------------------------------------------
    def _refuse_over_cap(self, job: Job) -> None:
        key = job.quota_key
        if key is None:
            return
        live = sum(1 for other in self._running if other.quota_key == key)
        live += sum(1 for queued in self._waiting if queued.job.quota_key == key)
        if live >= self.max_jobs_per_owner:
            plural = "job" if self.max_jobs_per_owner == 1 else "jobs"
            raise TooManyJobs(
                f"{job.label} was not started: this browser already has {live} {plural} queued or running "
                f"(at most {self.max_jobs_per_owner} per browser, across its tabs, so the whole class gets a "
                "turn). Wait for one to finish or cancel one, then try again."
            )

    def _order(self) -> list[Job]:
        """The waiting jobs in the order they will start (call with the lock held): round-robin
        between browsers, least recently served first; each browser's jobs in submission order."""
        last_turn = dict(self._last_turn)
        turn = max(last_turn.values(), default=0)
        waiting = sorted(self._waiting, key=lambda queued: queued.number)
        order: list[Job] = []
        while waiting:
            nxt = min(waiting, key=lambda queued: (last_turn.get(queued.job.quota_key, -1), queued.number))
            waiting.remove(nxt)
            order.append(nxt.job)
            turn += 1
            last_turn[nxt.job.quota_key] = turn
        return order

    def _forget(self, job: Job) -> None:
        with self._lock:
            self._waiting = [queued for queued in self._waiting if queued.job is not job]

    def _dispatch(self) -> None:
        """Start waiting jobs while workers are free, in ``_order``."""
        with self._lock:
            while not self._closed and self._waiting and len(self._running) < self.max_workers:
                first = self._order()[0]
                queued = next(queued for queued in self._waiting if queued.job is first)
                self._waiting.remove(queued)
                assert first.future is not None
                if not first.future.set_running_or_notify_cancel():
                    continue  # cancelled while waiting
                self._running.append(first)
                self._last_turn[first.quota_key] = max(self._last_turn.values(), default=0) + 1
                self._slots.submit(self._run, queued)

    def _run(self, queued: _Queued) -> None:
        job = queued.job
        outcome: BaseException | None = None
        value = None
        try:
            if job.cancelled:
                raise Cancelled(job.label)
            job.started_at = time.monotonic()
            value = self.backend.run(job, queued.work, queued.args, queued.kwargs)
            job.update(1.0, "done", {})
            job._snapshots.clear()  # the result supersedes the intermediate ones: free their memory
        except BaseException as exc:
            outcome = exc
        finally:
            with self._lock:
                self._running.remove(job)
            self._dispatch()
        assert job.future is not None
        if outcome is not None:
            job.future.set_exception(outcome)
        else:
            job.future.set_result(value)
