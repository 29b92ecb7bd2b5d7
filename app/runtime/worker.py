"""What runs inside the process of one job (the child side of ``app.runtime.processes``).

The server imports this module only for ``run_job``, the child's entry point (nothing runs at
import). Job processes are forked from the forkserver, whose preload (``app.runtime.preload``)
made them warm and single-threaded.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import resource
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def ready() -> None:
    """The start-up ping's target: once a process has run it, the forkserver is warm."""


def run_job(conn: Connection) -> None:
    """The child's entry point: receive the work, cap resources, run it, report back, exit.

    Messages to the parent (pickled tuples, highest protocol so read-only arrays stay read-only):
    ("progress", fraction, message, detail, address space in bytes), then one of ("result", value),
    ("error", exception, traceback text) or ("memory", traceback text).
    """
    os.setpgid(0, 0)  # our own process group: cancelling kills anything this job started, too
    die_with_parent()  # the forkserver: it exits when the server does
    try:
        received = conn.recv_bytes()
    except (EOFError, OSError):  # the job was cancelled before it was sent
        return
    try:
        work, args, kwargs, max_seconds, max_memory_bytes = pickle.loads(received)
        del received
    except Exception as exc:
        _send(conn, ("error", _portable(exc), traceback.format_exc()))
        return
    _limit_resources(max_seconds, max_memory_bytes)

    def progress(fraction: float, message: str, **detail: Any) -> None:
        _send(conn, ("progress", float(fraction), str(message), detail, _address_space_bytes()))

    try:
        value = work(*args, progress=progress, **kwargs)
    except MemoryError:
        _send(conn, ("memory", traceback.format_exc()))
        return
    except BaseException as exc:
        _send(conn, ("error", _portable(exc), traceback.format_exc()))
        return
    try:
        _send(conn, ("result", value))
    except MemoryError:
        _send(conn, ("memory", traceback.format_exc()))
    except Exception as exc:  # the result itself cannot be pickled
        error = TypeError(f"the result ({type(value).__name__}) cannot be sent back from the worker process: {exc}")
        _send(conn, ("error", error, traceback.format_exc()))


def _send(conn: Connection, message: tuple) -> None:
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _limit_resources(max_seconds: float, max_memory_bytes: int | None) -> None:
    """Cap this process's address space at what it holds now plus ``max_memory_bytes``.

    What it holds now (the preloaded libraries, about 1 GB of mostly shared address space, and the
    job's inputs) is not the job's doing, so the cap counts what the job adds on top of it.
    """
    if max_memory_bytes is not None:
        limit = _address_space_bytes() + int(max_memory_bytes)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    # A CPU-time backstop that cannot fire before the wall-time cap (one job uses at most every
    # core): it ends a job whose server died without stopping it.
    cpu_seconds = int(max_seconds * (os.cpu_count() or 1)) + 60
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or cpu_seconds < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, hard))


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _portable(exc: BaseException) -> Exception:
    """``exc`` if the parent can unpickle it and re-raise it safely, else a RuntimeError saying it."""
    if isinstance(exc, Exception):
        try:
            pickle.loads(pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL))
            return exc
        except Exception:
            pass
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when the thread that started it ends (Linux).

    Right for a job process, whose parent is the forkserver's only thread; for a process started
    by a short-lived server thread (the forkserver itself) use ``exit_when_orphaned`` instead.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the CPU-time backstop still ends an orphan
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def exit_when_orphaned(every: float = 0.5) -> Callable[[], None]:
    """Exit this process as soon as its parent is gone (polled by a thread); returns a stop function.

    The forkserver runs it while it preloads: a server killed meanwhile takes the forkserver (and
    its compilation) with it at once. The thread must be stopped before the forkserver forks.
    """
    parent, stop = os.getppid(), threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            if os.getppid() != parent:
                os._exit(1)

    thread = threading.Thread(target=watch, name="exit-when-orphaned", daemon=True)
    thread.start()

    def stop_watching() -> None:
        stop.set()
        thread.join()

    return stop_watching
