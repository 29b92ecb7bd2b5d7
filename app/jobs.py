"""Heavy work off the Streamlit script thread: a bounded runner of jobs with progress and cancel.

A job is any function that takes a ``progress(fraction, message)`` keyword; the runner wraps it
so that a cancelled job raises ``Cancelled`` at its next progress report. The runner takes any
``concurrent.futures.Executor`` (threads by default: numpy, numba and openTSNE release the GIL).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from app.projection import Cancelled


@dataclass
class Job:
    """One submitted piece of work: its progress, its future, and a cancel switch."""

    label: str
    estimate_seconds: float = 0.0
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    fraction: float = 0.0
    message: str = "waiting for a free worker"
    submitted_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    future: Future | None = None
    _cancel: threading.Event = field(default_factory=threading.Event)

    def report(self, fraction: float, message: str) -> None:
        """The progress callback handed to the work; it stops the work once cancelled."""
        if self._cancel.is_set():
            raise Cancelled(self.label)
        self.fraction, self.message = max(0.0, min(1.0, fraction)), message

    def cancel(self) -> None:
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

    def result(self) -> Any:
        """The work's return value; re-raises its exception (InputError, Cancelled, ...)."""
        assert self.future is not None
        try:
            return self.future.result()
        except CancelledError:  # cancelled while still waiting: it never ran
            raise Cancelled(self.label) from None


class JobRunner:
    """At most ``max_workers`` jobs run at once; the others wait in submission order."""

    def __init__(self, executor: Executor | None = None, max_workers: int | None = None) -> None:
        self.max_workers = max_workers or os.cpu_count() or 1
        self.executor = executor or ThreadPoolExecutor(self.max_workers, thread_name_prefix="embedding-lab-job")
        self._waiting: list[Job] = []
        self._lock = threading.Lock()

    def submit(self, label: str, work: Callable[..., Any], *args: Any, estimate_seconds: float = 0.0, **kwargs: Any):
        """Queue ``work(*args, progress=job.report, **kwargs)`` and return its Job at once."""
        job = Job(label, estimate_seconds)

        def run() -> Any:
            self._forget(job)
            job.started_at = time.monotonic()
            job.report(0.0, "started")
            return work(*args, progress=job.report, **kwargs)

        with self._lock:
            self._waiting.append(job)
        job.future = self.executor.submit(run)
        job.future.add_done_callback(lambda _: self._forget(job))  # a job cancelled before it started
        return job

    def _forget(self, job: Job) -> None:
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)

    def queue_position(self, job: Job) -> int:
        """0 when running (or done); otherwise how many jobs are ahead of it, plus one."""
        with self._lock:
            return self._waiting.index(job) + 1 if job in self._waiting else 0


class ResultCache:
    """A small thread-safe LRU of computed results, keyed on space fingerprints and parameters.

    Keys start with a fingerprint (a content hash), so a result is only found by someone who
    already holds the same data.
    """

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key``, computing and keeping it the first time."""
        found = self.get(key)
        if found is None:
            found = compute()
            self.put(key, found)
        return found

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
