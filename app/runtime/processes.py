"""The process backend: every job in its own process, forked from one warm forkserver.

Cancel kills that process (and its process group) and nothing else; the memory cap is an
address-space limit inside it; progress and ``detail`` dicts stream back over a pipe (the protocol
is in ``app.runtime.worker``). The work and its arguments must be picklable: a module-level function
of an importable module (not ``__main__``) or a ``functools.partial`` of one, with EmbeddingSpace
(or other plain) arguments. Arguments and results travel pickled with protocol 5 (so read-only
arrays stay read-only); only our own objects from our own processes are ever unpickled.

The forkserver preloads ``app.runtime.preload`` (heavy imports, and UMAP's compiled kernels when
numba's disk cache already holds them). Starting it takes a few seconds; jobs submitted meanwhile
simply wait for their process to start, and none waits for a compilation.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_connections
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from app.errors import Cancelled, InputError
from app.runtime import worker
from app.runtime.backends import POLL_SECONDS
from app.runtime.limits import SUGGESTION, JobLimitExceeded, RemoteTraceback, WorkerCrashed, format_bytes

if TYPE_CHECKING:
    from app.runtime.jobs import Job

log = logging.getLogger("embedding_lab")

PRELOAD_MODULE = "app.runtime.preload"
NEAR_THE_CAP = 0.85  # a SIGKILLed job that had used this share of its memory cap was most likely killed for memory
MEMORY_SAMPLE_SECONDS = 0.5

_context = multiprocessing.get_context("forkserver")
_start_lock = threading.Lock()
_started = False
_warm = threading.Event()  # set once the forkserver's preload is done (or failed): jobs fork at once


def start_workers() -> None:
    """Start the worker processes' forkserver in the background (once per server process).

    Its preload (``app.runtime.preload``) imports the heavy libraries, so every job process is forked
    warm. Call it at server start; later calls do nothing.
    """
    global _started
    with _start_lock:
        if _started:
            return
        _started = True
        _context.set_forkserver_preload([PRELOAD_MODULE])
        threading.Thread(target=_start_forkserver, name="embedding-lab-workers", daemon=True).start()


def _start_forkserver() -> None:
    began = time.perf_counter()
    try:
        ping = _context.Process(target=worker.ready, name="embedding-lab-workers-ready", daemon=True)
        ping.start()
        ping.join()
        ping.close()
        log.info("job worker processes ready in %.1f s", time.perf_counter() - began)
    except Exception:
        log.exception("could not start the job worker processes")
    finally:
        _warm.set()


def wait_until_warm(timeout: float) -> bool:
    """Block until the workers' preload is done (after ``start_workers``); False if ``timeout`` passed.

    ``serve.py`` waits for it before Streamlit answers, so no student's first job waits for imports
    behind a page that already promised "about 3 s".
    """
    return _warm.wait(timeout)


@dataclass
class _Memory:
    """What the parent knows of a job process's memory: from its reports and from /proc."""

    start_bytes: int | None = None
    peak_bytes: int = 0

    def saw(self, address_space: int | None) -> None:
        if address_space:
            self.start_bytes = address_space if self.start_bytes is None else self.start_bytes
            self.peak_bytes = max(self.peak_bytes, address_space)

    def used(self) -> int:
        return max(0, self.peak_bytes - (self.start_bytes or self.peak_bytes))


class ProcessBackend:
    """Each job in a process of its own (see the module doc)."""

    name = "process"

    def start(self) -> None:
        start_workers()

    def check(self, label: str, work: Callable[..., Any]) -> None:
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

    def run(self, job: Job, work: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        limits = job.limits
        try:
            payload = pickle.dumps(
                (work, args, kwargs, limits.max_seconds, limits.max_memory_bytes), protocol=pickle.HIGHEST_PROTOCOL
            )
        except Exception as exc:
            raise TypeError(f"{job.label}: its work or arguments cannot be sent to a worker process: {exc}") from exc
        job.update(0.0, "starting a worker process", {})
        ours, theirs = multiprocessing.Pipe()
        process = _context.Process(target=worker.run_job, args=(theirs,), name=f"embedding-lab-job-{job.id[:8]}")
        process.daemon = True
        try:
            process.start()  # waits for the forkserver, if it is still starting
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        memory = _Memory()
        try:
            ours.send_bytes(payload)
            del payload
            job.started_at = time.monotonic()
            job.update(0.0, "started", {})
            value = _follow(job, process, ours, memory, job.started_at + limits.max_seconds)
        except (BrokenPipeError, EOFError, ConnectionResetError):  # it died before answering
            error = _death(job, process, memory)
            _stop(process, grace=0)
            raise error from None
        except BaseException:  # cancelled, over time, or the work's own error: nothing more to wait for
            _stop(process, grace=0)
            raise
        finally:
            ours.close()
        # It has answered and is exiting: the page gets the value now, the process is reaped meanwhile.
        threading.Thread(target=_stop, args=(process,), kwargs={"grace": 1}, name="reap-job", daemon=True).start()
        return value


def _follow(job: Job, process: BaseProcess, conn: Connection, memory: _Memory, deadline: float) -> Any:
    """Relay the child's messages to ``job`` until it answers; kill it on cancel or time-out."""
    next_sample = 0.0
    while True:
        if job.cancelled:
            raise Cancelled(job.label)
        now = time.monotonic()
        left = deadline - now
        if left <= 0:
            raise job.over_time()
        if now >= next_sample:
            memory.saw(_address_space(process.pid))
            next_sample = now + MEMORY_SAMPLE_SECONDS
        ready = wait_for_connections([conn, process.sentinel], timeout=min(POLL_SECONDS, left))
        if conn not in ready and not (ready and conn.poll()):
            if ready:  # the process ended and nothing is left to read
                raise _death(job, process, memory)
            continue
        kind, *rest = pickle.loads(conn.recv_bytes())
        if kind == "progress":
            fraction, message, detail, address_space = rest
            memory.saw(address_space)
            job.update(fraction, message, detail)
        elif kind == "result":
            return rest[0]
        elif kind == "memory":
            raise job.over_memory() from RemoteTraceback(rest[0])
        else:
            exc, text = rest
            raise exc from RemoteTraceback(text)


def _death(job: Job, process: BaseProcess, memory: _Memory) -> InputError:
    """The error for a child that ended without an answer: what is known of how it ended."""
    process.join(5)
    code = process.exitcode
    log.warning(
        "job %r: worker process %s ended with exit code %s after using %s of memory",
        job.label,
        process.pid,
        code,
        format_bytes(memory.used()),
    )
    if code == -signal.SIGXCPU:
        return job.over_time()
    if code == -signal.SIGKILL:  # not us: we only kill after deciding the outcome
        return _killed(job, memory)
    killed = code is not None and code < 0
    how = f"was killed by {signal.Signals(-code).name}" if killed and code else f"exited with code {code}"
    return WorkerCrashed(
        f"{job.label} stopped unexpectedly: its worker process {how} (a crash in a compiled library, "
        f"sometimes from running out of memory); {SUGGESTION}. The server log has details."
    )


def _killed(job: Job, memory: _Memory) -> InputError:
    """A SIGKILL from outside: the kernel's out-of-memory killer, or a person. Say which is likely."""
    cap = job.limits.max_memory_bytes
    used = memory.used()
    near_cap = cap is not None and used >= NEAR_THE_CAP * cap
    machine_low = _machine_memory_low()
    if near_cap or machine_low:
        why = (
            f"it had used {format_bytes(used)} of its {format_bytes(cap)} memory limit"
            if near_cap and cap is not None
            else "the server was nearly out of memory"
        )
        return JobLimitExceeded(
            f"{job.label} was stopped by the system (SIGKILL), most likely for using too much memory: {why}; "
            f"{SUGGESTION}"
        )
    limit = f" of its {format_bytes(cap)} limit" if cap is not None else ""
    return WorkerCrashed(
        f"{job.label} was stopped: its worker process was killed by SIGKILL from outside the app (by hand, or "
        f"by the system) while using {format_bytes(used)} of memory{limit}, so not for going over its memory "
        "limit. Try again; if it happens again, tell the person running the server."
    )


def _address_space(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _machine_memory_low(share: float = 0.05) -> bool:
    """True when less than ``share`` of the machine's memory is available (from /proc/meminfo)."""
    try:
        with open("/proc/meminfo") as meminfo:
            fields = {line.split(":")[0]: int(line.split()[1]) for line in meminfo if line.strip()}
        return fields["MemAvailable"] < share * fields["MemTotal"]
    except (OSError, ValueError, KeyError, IndexError):
        return False


def _stop(process: BaseProcess, grace: float) -> None:
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
