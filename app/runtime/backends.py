"""Where a job runs: the ``Backend`` protocol, and its thread and executor implementations.

The process implementation, the server's default, is ``app.runtime.processes.ProcessBackend``.
A backend runs one job at a time per call of ``run`` (the runner decides how many at once and in
what order); it relays progress to the job and stops the work when the job is cancelled or over
its time cap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor
from concurrent.futures import wait as wait_for_futures
from typing import TYPE_CHECKING, Any, Protocol

from app.errors import Cancelled

if TYPE_CHECKING:
    from app.runtime.jobs import Job

POLL_SECONDS = 0.05  # how often a supervisor looks at its job's cancel switch and clock


class Backend(Protocol):
    """Runs the work of one job somewhere."""

    name: str

    def start(self) -> None:
        """Get ready (e.g. warm the worker processes) without blocking; called at submit, too."""

    def check(self, label: str, work: Callable[..., Any]) -> None:
        """Fail at submit when ``work`` cannot run here (e.g. it cannot be sent to another process)."""

    def run(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        """Run ``work(*args, progress=..., **kwargs)`` for ``job`` and return its value."""


class ThreadBackend:
    """In the slot thread itself: a cancelled or over-time job stops at its next progress report;
    the memory cap is not enforced (tests, cheap work)."""

    name = "thread"

    def start(self) -> None:
        pass

    def check(self, label: str, work: Callable[..., Any]) -> None:
        pass

    def run(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        job._deadline = time.monotonic() + job.limits.max_seconds
        job.report(0.0, "started")
        return work(*args, progress=job.report, **kwargs)


class ExecutorBackend:
    """Each job becomes one ``executor.submit`` (a ProcessPoolExecutor, or a cluster's, e.g.
    ``distributed.Client(...).get_executor()``).

    Progress cannot stream from another machine: such a job reports 0 when it starts and 1 when it
    ends. Cancel (and the time cap) cancels the future: a queued task never runs, Dask releases a
    running one, but a task already running in a ProcessPoolExecutor finishes in the background.
    The memory cap is the cluster's business.
    """

    name = "executor"

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def start(self) -> None:
        pass

    def check(self, label: str, work: Callable[..., Any]) -> None:
        pass

    def run(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        future = self.executor.submit(_call_without_progress, job.id, work, args, kwargs)
        job.update(0.0, "running (progress shows when it ends)", {})
        deadline = time.monotonic() + job.limits.max_seconds
        while not future.done():
            if job.cancelled:
                future.cancel()
                raise Cancelled(job.label)
            if time.monotonic() > deadline:
                future.cancel()
                raise job.over_time()
            wait_for_futures([future], timeout=POLL_SECONDS)
        try:
            return future.result()
        except CancelledError:  # cancelled by the executor itself (e.g. a cluster shutting down)
            raise Cancelled(job.label) from None


def _call_without_progress(job_id: str, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """What an executor runs; ``job_id`` makes each job a distinct task (Dask names tasks by their arguments)."""
    return work(*args, progress=_no_progress, **kwargs)


def _no_progress(fraction: float, message: str, **detail: Any) -> None:
    """Progress from a job on an executor goes nowhere: it cannot reach this process."""
