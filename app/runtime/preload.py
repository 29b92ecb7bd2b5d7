"""The job forkserver's preload: imported once, in the forkserver, before it forks any job process.

``app.runtime.processes`` hands this module's name to multiprocessing's ``set_forkserver_preload``;
nothing else imports it (importing it runs ``preload()``). What it does, in order:

1. Exits the forkserver at once if the server dies while it is preloading (``exit_when_orphaned``).
2. Pins every thread pool to one thread before any heavy import. The forkserver must not own
   thread pools when it forks: GNU OpenMP (numba's default layer here) aborts a forked child, and
   OpenBLAS's and pyarrow's jemalloc's background threads would be lost in the child while holding
   their state. Jobs inherit one thread each, which is what the server wants anyway: it runs one
   job per core.
3. Imports the heavy libraries and our modules, so every job process starts warm.
4. Turns numba's disk cache on for UMAP's kernels (``app.runtime.kernels``). It neither compiles nor
   loads them: a UMAP job loads them from the disk cache in its own process (about a second once
   ``python -m app.runtime.kernels`` or an earlier UMAP filled it; a compilation before that), and
   no other job ever waits for them.
5. Has job processes skip re-running the server's ``__main__`` (under Streamlit, the page script):
   jobs only call functions of importable modules.

Nothing here may raise: an exception other than ImportError would stop the forkserver, and with
it every job.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import sys
import time
from collections.abc import Mapping
from multiprocessing import spawn
from typing import Any

log = logging.getLogger("embedding_lab")

SINGLE_THREADED = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "NUMBA_THREADING_LAYER": "forksafe",  # TBB or workqueue; a job (which never forks) may switch: umap_run
    "JE_ARROW_MALLOC_CONF": "background_thread:false",  # pyarrow's jemalloc starts a thread at import
    # OpenMP threads (UMAP's layout, k-means) sleep at once when they wait: spinning, they took the
    # core from the thread they waited for whenever another job ran too (a 2,000-point UMAP: 15 s, not 2.4)
    "OMP_WAIT_POLICY": "PASSIVE",
}
"""Set in the forkserver before it imports anything heavy; every job process inherits them."""

LIBRARIES = (
    *("numpy", "scipy", "pandas", "sklearn", "gensim", "openTSNE", "pynndescent", "umap", "threadpoolctl"),
    # what our jobs import inside their functions: 0.3 s of every debiasing job went to sklearn.cluster
    *("sklearn.cluster", "sklearn.decomposition", "sklearn.manifold", "sklearn.metrics", "sklearn.utils.extmath"),
)
APP_PACKAGES = ("app.projection", "app.evaluation", "app.bias", "app.training")
"""Every module of these packages is imported (whatever their files are called today)."""


def preload() -> None:
    """Make the forkserver warm (see the module doc); never raises."""
    began = time.perf_counter()
    os.environ.update(SINGLE_THREADED)  # first: even our own modules import numpy (OpenBLAS starts its pool)
    from app.runtime.worker import exit_when_orphaned

    stop_watching = exit_when_orphaned()
    try:
        _import_quietly(LIBRARIES)
        _import_quietly(["app.space", *_modules_of(APP_PACKAGES)])
        _no_tqdm_monitor()
        _cache_umap_kernels()
        _skip_main_in_job_processes()
    finally:
        stop_watching()
    threads, expected = _native_threads(), 1 + _numba_pool_threads()
    if threads > expected:
        log.warning("worker preload: %d threads alive before forking (expected %d); jobs may hang", threads, expected)
    log.info("worker preload done in %.1f s", time.perf_counter() - began)


def _import_quietly(names: list[str] | tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a missing optional library only means a colder job
            log.debug("worker preload: could not import %s (%s)", name, exc)


def _modules_of(packages: tuple[str, ...]) -> list[str]:
    """The modules of ``packages`` that exist now (packages are split and renamed over time)."""
    names = []
    for package in packages:
        try:
            path = importlib.import_module(package).__path__
        except Exception:
            continue
        names += [f"{package}.{info.name}" for info in pkgutil.iter_modules(path)]
    return names


def _no_tqdm_monitor() -> None:
    try:
        import tqdm

        tqdm.tqdm.monitor_interval = 0  # no monitor thread (umap-learn draws tqdm bars)
    except ImportError:
        pass


def _cache_umap_kernels() -> None:
    """Turn numba's disk cache on for UMAP's kernels; job processes inherit it."""
    try:
        from app.runtime import kernels

        kernels.enable_disk_cache()
    except Exception:  # only means UMAP jobs compile instead of loading
        log.exception("worker preload: could not turn numba's disk cache on")


def _skip_main_in_job_processes() -> None:
    """Job processes prepare themselves without re-running the server's ``__main__`` (a page script)."""
    prepare = spawn.prepare

    def prepare_without_main(data: Mapping[str, Any]) -> None:
        prepare({key: value for key, value in data.items() if not key.startswith("init_main_")})

    spawn.prepare = prepare_without_main


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


preload()
