"""Heavy work off the Streamlit script thread: a bounded queue of jobs with progress, limits and cancel.

A job is any function that takes a ``progress(fraction, message, **detail)`` keyword. At most
``max_workers`` jobs (default: one per core) run at once; the others wait in submission order and
can say their queue position and an estimated wait. Every job has a wall-time and a memory cap
(``JobLimits``), an owner (the browser session that started it: ``cancel_owned_by`` stops a
closed session's jobs) and a cancel switch.

Where a job runs (``JobRunner(isolation=...)``, or an executor):

- ``"process"`` (the server's default): each job in its own process, forked from a warm
  forkserver (``start_workers``; see ``app.runtime.worker``). Cancel kills that process and nothing else;
  the memory cap is an address-space limit inside it; progress and ``detail`` dicts stream back
  over a pipe. The work and its arguments must be picklable: a module-level function of an
  importable module (not ``__main__``) or a ``functools.partial`` of one, with EmbeddingSpace (or
  other plain) arguments. Arguments and results travel pickled with protocol 5 (so read-only
  arrays stay read-only); only our own objects from our own processes are ever unpickled.
- ``"thread"``: in a thread of this process (tests, cheap work). A cancelled or over-time job
  stops at its next progress report; the memory cap is not enforced.
- ``JobRunner(executor=...)``, any ``concurrent.futures.Executor`` (a ProcessPoolExecutor, or a
  cluster's, e.g. ``distributed.Client(...).get_executor()``): the queue and ``max_workers`` stay
  here and each job becomes one ``executor.submit``. Progress cannot stream from another machine:
  such a job reports 0 when it starts and 1 when it ends. Cancel (and the time cap) cancels the
  future: a queued task never runs, Dask releases a running one, but a task already running in a
  ProcessPoolExecutor finishes in the background. The memory cap is the cluster's business.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Executor, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass, field
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_connections
from typing import Any

from app.errors import Cancelled, InputError
from app.runtime import worker

log = logging.getLogger("embedding_lab")

POLL_SECONDS = 0.05  # how often a running job's supervisor looks at its cancel switch and clock
MAX_DETAILS = 10_000  # per job; beyond it every other detail is dropped, so a long curve keeps its shape
SUGGESTION = "try fewer points or lighter settings"


@dataclass(frozen=True)
class JobLimits:
    """Caps for one job: wall time in seconds, and memory in bytes (None: no memory cap).

    The memory cap counts what the job allocates on top of its worker process's starting size
    (the preloaded libraries and the job's inputs); it is enforced with process isolation only.
    """

    max_seconds: float = 900
    max_memory_bytes: int | None = 3 * 2**30

    def __post_init__(self) -> None:
        if not self.max_seconds > 0:
            raise ValueError(f"JobLimits.max_seconds must be positive, got {self.max_seconds}")
        if self.max_memory_bytes is not None and self.max_memory_bytes <= 0:
            raise ValueError(f"JobLimits.max_memory_bytes must be positive or None, got {self.max_memory_bytes}")


class JobLimitExceeded(InputError):
    """A job went over its wall-time or memory cap; the message says which and what to try."""


class WorkerCrashed(InputError):
    """A job's worker process died without an answer (killed by a signal, or an unexpected exit)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process: its ``__cause__`` in the server log."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass
class Job:
    """One submitted piece of work: its progress, its future, its owner and a cancel switch."""

    label: str
    estimate_seconds: float = 0.0
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    fraction: float = 0.0
    message: str = "waiting for a free worker"
    submitted_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    future: Future | None = None
    owner: str | None = None
    limits: JobLimits = field(default_factory=JobLimits)
    details: list[dict] = field(default_factory=list)
    """The ``detail`` keywords of every progress report that had some, in order (e.g. a loss curve)."""
    _cancel: threading.Event = field(default_factory=threading.Event)
    _deadline: float | None = None  # thread isolation: the time cap, checked at each report

    def report(self, fraction: float, message: str, **detail: Any) -> None:
        """The progress callback handed to work in a thread; it stops the work once cancelled
        (``Cancelled``) or over its time cap (``JobLimitExceeded``)."""
        if self._cancel.is_set():
            raise Cancelled(self.label)
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise self._over_time()
        self._update(fraction, message, detail)

    def _update(self, fraction: float, message: str, detail: dict) -> None:
        self.fraction, self.message = max(0.0, min(1.0, fraction)), message
        if detail:
            if len(self.details) >= MAX_DETAILS:
                del self.details[::2]
            self.details.append(dict(detail))

    def cancel(self) -> None:
        """Stop the job: a waiting job never runs; a running one is stopped (see the module doc)."""
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

    def result(self, timeout: float | None = None) -> Any:
        """The work's return value; re-raises its exception (InputError, Cancelled, ...)."""
        assert self.future is not None
        try:
            return self.future.result(timeout)
        except CancelledError:  # cancelled while still waiting: it never ran
            raise Cancelled(self.label) from None

    def _over_time(self) -> JobLimitExceeded:
        return JobLimitExceeded(
            f"{self.label} took longer than the {self.limits.max_seconds:g} s limit for one job on this server; "
            f"{SUGGESTION}"
        )

    def _over_memory(self) -> JobLimitExceeded:
        if self.limits.max_memory_bytes is None:
            return JobLimitExceeded(f"{self.label} ran out of memory; {SUGGESTION}")
        return JobLimitExceeded(
            f"{self.label} needed more than the {_format_bytes(self.limits.max_memory_bytes)} memory limit "
            f"for one job on this server; {SUGGESTION}"
        )


class JobRunner:
    """At most ``max_workers`` jobs run at once; the others wait in submission order.

    ``executor``: run each job with ``executor.submit`` instead (``isolation`` is then ignored).
    ``limits``: the default caps; ``submit`` can override them per job.
    """

    def __init__(
        self,
        executor: Executor | None = None,
        max_workers: int | None = None,
        *,
        isolation: str = "process",
        limits: JobLimits | None = None,
    ) -> None:
        if isolation not in ("process", "thread"):
            raise ValueError(f"isolation must be 'process' or 'thread', got {isolation!r}")
        self.max_workers = max_workers or os.cpu_count() or 1
        self.isolation = "executor" if executor is not None else isolation
        self.limits = limits or JobLimits()
        self._slots = ThreadPoolExecutor(self.max_workers, thread_name_prefix="embedding-lab-job")
        self.executor = executor if executor is not None else self._slots
        self._waiting: list[Job] = []
        self._running: list[Job] = []
        self._lock = threading.Lock()

    def start(self) -> threading.Thread | None:
        """Start warming the worker processes now (process isolation), so no student waits for it."""
        return start_workers() if self.isolation == "process" else None

    def submit(
        self,
        label: str,
        work: Callable[..., Any],
        *args: Any,
        estimate_seconds: float = 0.0,
        max_seconds: float | None = None,
        max_memory_bytes: int | None = None,
        owner: str | None = None,
        **kwargs: Any,
    ) -> Job:
        """Queue ``work(*args, progress=..., **kwargs)`` and return its Job at once.

        ``max_seconds`` / ``max_memory_bytes`` override the runner's limits for this job (None:
        the runner's); ``owner`` is an opaque session id for ``cancel_owned_by``.
        """
        limits = JobLimits(
            self.limits.max_seconds if max_seconds is None else max_seconds,
            self.limits.max_memory_bytes if max_memory_bytes is None else max_memory_bytes,
        )
        if self.isolation == "process":
            _check_picklable(label, work)
            start_workers()
        job = Job(label, estimate_seconds, owner=owner, limits=limits)
        with self._lock:
            self._waiting.append(job)
        try:
            job.future = self._slots.submit(self._run, job, work, args, kwargs)
        except BaseException:
            self._forget(job)
            raise
        job.future.add_done_callback(lambda _: self._forget(job))  # a job cancelled before it started
        return job

    def queue_position(self, job: Job) -> int:
        """0 when running (or done); otherwise how many jobs are ahead of it, plus one (1 = next)."""
        with self._lock:
            return self._waiting.index(job) + 1 if job in self._waiting else 0

    def estimated_wait(self, job: Job) -> float:
        """Seconds until ``job`` starts, roughly: the work ahead of it spread over the workers.

        That is (what is left of the running jobs' estimates + the estimates of the jobs queued
        ahead of it) / max_workers; 0 once it runs. Estimates are the ones given to ``submit``.
        """
        with self._lock:
            if job not in self._waiting:
                return 0.0
            ahead = self._waiting[: self._waiting.index(job)]
            running_left = sum(max(0.0, other.estimate_seconds - other.elapsed) for other in self._running)
            queued = sum(other.estimate_seconds for other in ahead)
        return (running_left + queued) / self.max_workers

    def jobs(self) -> list[Job]:
        """The live jobs: running ones first, then the waiting ones in queue order."""
        with self._lock:
            return [*self._running, *self._waiting]

    def cancel_owned_by(self, owner: str) -> int:
        """Cancel every live job of ``owner`` (a closed browser session); returns how many."""
        mine = [job for job in self.jobs() if job.owner == owner]
        for job in mine:
            job.cancel()
        return len(mine)

    def shutdown(self, wait: bool = True) -> None:
        """Cancel every live job and stop the runner (a given executor is the caller's to shut down)."""
        for job in self.jobs():
            job.cancel()
        self._slots.shutdown(wait=wait, cancel_futures=True)

    # --- running one job, in one of the slots -------------------------------------------------
    def _forget(self, job: Job) -> None:
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)

    def _run(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)
            self._running.append(job)
        try:
            if job.cancelled:
                raise Cancelled(job.label)
            job.started_at = time.monotonic()
            if self.isolation == "thread":
                value = self._run_in_thread(job, work, args, kwargs)
            elif self.isolation == "process":
                value = self._run_in_process(job, work, args, kwargs)
            else:
                value = self._run_elsewhere(job, work, args, kwargs)
        finally:
            with self._lock:
                self._running.remove(job)
        job._update(1.0, "done", {})
        return value

    def _run_in_thread(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        job._deadline = time.monotonic() + job.limits.max_seconds
        job.report(0.0, "started")
        return work(*args, progress=job.report, **kwargs)

    def _run_elsewhere(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        future = self.executor.submit(_call_without_progress, job.id, work, args, kwargs)
        job._update(0.0, "running (progress shows when it ends)", {})
        deadline = time.monotonic() + job.limits.max_seconds
        while not future.done():
            if job.cancelled:
                future.cancel()
                raise Cancelled(job.label)
            if time.monotonic() > deadline:
                future.cancel()
                raise job._over_time()
            wait_for_futures([future], timeout=POLL_SECONDS)
        try:
            return future.result()
        except CancelledError:  # cancelled by the executor itself (e.g. a cluster shutting down)
            raise Cancelled(job.label) from None

    def _run_in_process(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        limits = job.limits
        try:
            payload = pickle.dumps(
                (work, args, kwargs, limits.max_seconds, limits.max_memory_bytes), protocol=pickle.HIGHEST_PROTOCOL
            )
        except Exception as exc:
            raise TypeError(f"{job.label}: its work or arguments cannot be sent to a worker process: {exc}") from exc
        if not _workers_ready.is_set():
            job._update(0.0, "waiting for the worker processes to warm up (once per server start)", {})
            while not _workers_ready.wait(POLL_SECONDS):
                if job.cancelled:
                    raise Cancelled(job.label)
        ours, theirs = multiprocessing.Pipe()
        process = _JobProcess(target=worker.run_job, args=(theirs,), name=f"embedding-lab-job-{job.id[:8]}")
        process.daemon = True
        try:
            process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        try:
            ours.send_bytes(payload)
            del payload
            job.started_at = time.monotonic()
            job._update(0.0, "started", {})
            value = self._follow(job, process, ours, job.started_at + limits.max_seconds)
        except (BrokenPipeError, EOFError, ConnectionResetError):  # it died before answering
            error = self._death(job, process)
            _stop(process, grace=0)
            raise error from None
        except BaseException:  # cancelled, over time, or the work's own error: nothing more to wait for
            _stop(process, grace=0)
            raise
        finally:
            ours.close()
        _stop(process, grace=1)  # it has answered and is exiting
        return value

    def _follow(self, job: Job, process: multiprocessing.Process, conn: Connection, deadline: float) -> Any:
        """Relay the child's messages to ``job`` until it answers; kill it on cancel or time-out."""
        while True:
            if job.cancelled:
                raise Cancelled(job.label)
            left = deadline - time.monotonic()
            if left <= 0:
                raise job._over_time()
            ready = wait_for_connections([conn, process.sentinel], timeout=min(POLL_SECONDS, left))
            if conn not in ready and not (ready and conn.poll()):
                if ready:  # the process ended and nothing is left to read
                    raise self._death(job, process)
                continue
            kind, *rest = pickle.loads(conn.recv_bytes())
            if kind == "progress":
                job._update(*rest)
            elif kind == "result":
                return rest[0]
            elif kind == "memory":
                raise job._over_memory() from RemoteTraceback(rest[0])
            else:
                exc, text = rest
                raise exc from RemoteTraceback(text)

    @staticmethod
    def _death(job: Job, process: multiprocessing.Process) -> InputError:
        """The error for a child that ended without an answer, from how it ended."""
        process.join(5)
        code = process.exitcode
        log.warning("job %r: worker process %s ended with exit code %s", job.label, process.pid, code)
        if code == -signal.SIGKILL:  # not us (we only kill after deciding the outcome): the OOM killer
            limit = job.limits.max_memory_bytes
            cap = f" (the memory limit for one job on this server is {_format_bytes(limit)})" if limit else ""
            return JobLimitExceeded(
                f"{job.label} was stopped by the system, most likely for using too much memory{cap}; {SUGGESTION}"
            )
        if code == -signal.SIGXCPU:
            return job._over_time()
        if code is not None and code < 0:
            how = f"was killed by {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        return WorkerCrashed(
            f"{job.label} stopped unexpectedly: its worker process {how} (a crash in a compiled library, "
            f"sometimes from running out of memory); {SUGGESTION}. The server log has details."
        )


# --- worker processes --------------------------------------------------------------------------
class _PopenWithoutMain(popen_forkserver.Popen):
    """The forkserver launch, without asking the child to re-import the parent's ``__main__``.

    multiprocessing normally has every new process import the parent's main module. Under
    Streamlit that is the page script (Streamlit installs each script run as ``__main__``), which
    the job process would then execute. Jobs only call functions of importable modules, so the
    preparation data sent here simply leaves the main module out; the rest is the usual
    forkserver handshake.
    """

    def _launch(self, process_obj: multiprocessing.Process) -> None:
        preparation = spawn.get_preparation_data(process_obj.name)
        preparation = {key: value for key, value in preparation.items() if not key.startswith("init_main_")}
        data = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(preparation, data)
            reduction.dump(process_obj, data)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, to_child = forkserver.connect_to_new_process(self._fds)
        alive = os.dup(to_child)  # held until this Popen goes: the child's "parent is alive" signal
        self.finalizer = util.Finalize(self, util.close_fds, (alive, self.sentinel))
        with open(to_child, "wb", closefd=True) as pipe:
            pipe.write(data.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _JobProcess(context.ForkServerProcess):
    """A forkserver process started without the parent's main module."""

    @staticmethod
    def _Popen(process_obj: multiprocessing.Process) -> _PopenWithoutMain:
        return _PopenWithoutMain(process_obj)


_workers_lock = threading.Lock()
_workers_thread: threading.Thread | None = None
_workers_ready = threading.Event()


def start_workers() -> threading.Thread:
    """Start the worker processes' forkserver in the background (once per server process).

    Its preload (``app.runtime.worker``) imports the heavy libraries and compiles UMAP's kernels once
    (about 45 s here), so every job process is forked warm. Jobs submitted meanwhile simply wait
    for it. Call it at server start; later calls return the same thread.
    """
    global _workers_thread
    with _workers_lock:
        if _workers_thread is None:
            forkserver.set_forkserver_preload([worker.__name__])
            _workers_thread = threading.Thread(target=_warm_workers, name="embedding-lab-workers", daemon=True)
            _workers_thread.start()
        return _workers_thread


def workers_ready() -> bool:
    """True once the forkserver has finished its preload (or failed to start; see the log)."""
    return _workers_ready.is_set()


def _warm_workers() -> None:
    began = time.perf_counter()
    try:
        ping = _JobProcess(target=worker.ready, name="embedding-lab-workers-ready")
        ping.daemon = True
        ping.start()
        ping.join()
        ping.close()
        log.info("job worker processes ready in %.1f s", time.perf_counter() - began)
    except Exception:
        log.exception("could not start the job worker processes")
    finally:
        _workers_ready.set()


def _stop(process: multiprocessing.Process, grace: float) -> None:
    """Make sure a job's process (after ``grace`` seconds to exit by itself) and anything it
    started are gone, and release its handles."""
    if process.exitcode is None and grace:
        process.join(grace)
    if process.exitcode is None:
        _kill_group(process.pid)
        process.join(1)
    if process.exitcode is None:
        process.kill()
        process.join(5)
    else:
        _kill_group(process.pid)  # processes the job started and left behind, if any
    if process.exitcode is not None:
        process.close()


def _kill_group(pid: int | None) -> None:
    """SIGKILL the process group a job process leads (``app.runtime.worker.run_job`` makes one)."""
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _check_picklable(label: str, work: Callable[..., Any]) -> None:
    """Fail at submit, not in a worker, when the work cannot go to another process (a lambda, a
    nested function). The arguments are only pickled when the job starts."""
    target = work.func if isinstance(work, functools.partial) else work
    try:
        pickle.dumps(target, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise TypeError(
            f"{label}: work for a worker process must be picklable (a module-level function or a "
            f"functools.partial of one), not {target!r}: {exc}"
        ) from None


def _call_without_progress(job_id: str, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """What an executor runs; ``job_id`` makes each job a distinct task (Dask names tasks by their arguments)."""
    return work(*args, progress=_no_progress, **kwargs)


def _no_progress(fraction: float, message: str, **detail: Any) -> None:
    """Progress from a job on an executor goes nowhere: it cannot reach this process."""


def _format_bytes(n: int) -> str:
    return f"{n / 2**30:.3g} GB" if n >= 2**30 else f"{n / 2**20:.3g} MB"


class OwnerWatch:
    """Stops the jobs of owners (browser sessions) that have been gone for ``grace`` seconds.

    A page reload or a network blip reconnects within the grace period; a closed tab does not.
    ``check`` is called every few seconds with a test of whether an owner is still connected.
    """

    def __init__(self, runner: JobRunner, grace: float = 20.0) -> None:
        self.runner = runner
        self.grace = grace
        self._gone_since: dict[str, float] = {}

    def check(self, is_connected: Callable[[str], bool], now: float | None = None) -> list[str]:
        """Cancel the jobs of owners gone for longer than the grace period; returns those owners."""
        now = time.monotonic() if now is None else now
        stopped = []
        for owner in {job.owner for job in self.runner.jobs() if job.owner}:
            if is_connected(owner):
                self._gone_since.pop(owner, None)
            elif now - self._gone_since.setdefault(owner, now) >= self.grace:
                self.runner.cancel_owned_by(owner)
                self._gone_since.pop(owner, None)
                stopped.append(owner)
        return stopped


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
