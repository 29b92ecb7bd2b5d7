"""The worker-process side of ``app.runtime.jobs``: what runs inside the process of one job.

This module is imported in three places:

- by ``app.runtime.jobs`` in the server, which only needs ``run_job`` as the child's entry point (the
  import is light: nothing below runs there);
- by the multiprocessing forkserver as its preload: there, and only there, ``preload()`` pins every
  thread pool to one thread, imports the heavy libraries and compiles UMAP's numba kernels once;
- in every job process, which the forkserver forks and which so inherits all of that, warm.

Fork safety: the forkserver must not own thread pools when it forks. GNU OpenMP (numba's default
threading layer here) aborts a forked child ("fork() called from a process already using GNU
OpenMP"), and OpenBLAS's and pyarrow's jemalloc's background threads would be lost in the child
while holding their state. ``preload()`` therefore sets the environment before any import: one
OpenMP/BLAS/numba thread, a fork-safe numba threading layer, no jemalloc background thread and no
tqdm monitor thread. Jobs inherit one thread each, which is also what the server wants: the runner
already runs one job per core.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import resource
import sys
import time
import traceback
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger("embedding_lab")

SINGLE_THREADED = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "NUMBA_THREADING_LAYER": "forksafe",  # TBB when installed, else workqueue; never GNU OpenMP
    "JE_ARROW_MALLOC_CONF": "background_thread:false",  # pyarrow's jemalloc starts a thread at import
}
"""Set in the forkserver before it imports anything heavy; every job process inherits them."""

PRELOADED_LIBRARIES = ("numpy", "scipy", "pandas", "sklearn", "gensim", "openTSNE", "pynndescent", "umap")
PRELOADED_APP_MODULES = (
    "app.space",
    "app.projection.methods",
    "app.evaluation.analogy_bench",
    "app.evaluation.word_pairs",
    "app.bias.core",
    "app.training.run",
)


def preload() -> None:
    """Make the forkserver warm: single-threaded pools, heavy imports, UMAP compiled (once).

    Nothing here may raise: an exception other than ImportError would stop the forkserver, and
    with it every job. EMBEDDING_LAB_NO_WARMUP=1 skips the UMAP compilation (tests).
    """
    began = time.perf_counter()
    os.environ.update(SINGLE_THREADED)
    for name in (*PRELOADED_LIBRARIES, *PRELOADED_APP_MODULES):
        try:
            importlib.import_module(name)
        except Exception as exc:  # a missing optional library only means a colder job
            log.debug("worker preload: could not import %s (%s)", name, exc)
    try:
        import tqdm

        tqdm.tqdm.monitor_interval = 0  # no monitor thread (umap-learn draws tqdm bars)
    except ImportError:
        pass
    if not os.environ.get("EMBEDDING_LAB_NO_WARMUP"):
        try:
            from app.projection.methods import warm_up_umap

            log.info("worker preload: UMAP compiled in %.1f s", warm_up_umap())
        except Exception:  # a failed warm-up only means slower first UMAP runs
            log.exception("worker preload: UMAP warm-up failed")
    threads, expected = _native_threads(), 1 + _numba_pool_threads()
    if threads > expected:
        log.warning("worker preload: %d threads alive before forking (expected %d); jobs may hang", threads, expected)
    log.info("worker preload done in %.1f s", time.perf_counter() - began)


def _numba_pool_threads() -> int:
    """Threads of numba's pool if the warm-up launched it: fork-safe (workqueue or TBB, see above)."""
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    if parallel is None or not getattr(parallel, "_is_initialized", False):
        return 0
    return int(getattr(parallel, "NUM_THREADS", 1))


def _native_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def ready() -> None:
    """The start-up ping's target: once a process has run it, the forkserver is warm."""


def run_job(conn: Connection) -> None:
    """The child's entry point: receive the work, cap resources, run it, report back, exit.

    Messages to the parent (pickled tuples, highest protocol so read-only arrays stay read-only):
    ("progress", fraction, message, detail), then one of ("result", value),
    ("error", exception, traceback text) or ("memory", traceback text).
    """
    os.setpgid(0, 0)  # our own process group: cancelling kills anything this job started, too
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
        _send(conn, ("progress", float(fraction), str(message), detail))

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


def _imported_by_the_forkserver() -> bool:
    """True while the forkserver imports this module as its preload, and nowhere else."""
    main = forkserver.main.__code__
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is main:
            return True
        frame = frame.f_back
    return False


if _imported_by_the_forkserver():
    preload()
