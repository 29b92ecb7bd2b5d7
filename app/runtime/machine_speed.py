"""How fast this machine is against the one every time model was measured on (issue 16).

Each job's time model (``app.runtime.timing``) was fitted on a 2-core reference machine. Before this
machine has timed a run of a kind, its first guess is the model times this factor: a short, fixed
workload of the three things our jobs spend their time on (a single-threaded BLAS product, a sort of
a large array, and a Python loop over a dict), timed here and divided by its time on the reference
machine. Each part keeps the best of a few repeats, so a busy moment does not set the factor, and
the measurement (about a quarter of a second) runs once per process, on the first estimate that needs it.

``EMBEDDING_LAB_MACHINE_SPEED`` sets the factor instead (2 = this machine takes twice as long).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import numpy as np

ENV = "EMBEDDING_LAB_MACHINE_SPEED"
REFERENCE_SECONDS = 0.029  # the workload's best time on the reference machine (quiet: 0.024-0.032)
REPEATS = 5
LOWEST, HIGHEST = 0.25, 4.0  # a factor outside this is a measuring accident, not a machine

_lock = threading.Lock()
_factor: float | None = None


def machine_factor() -> float:
    """Seconds here per second on the reference machine: the setting, or measured once per process."""
    global _factor
    setting = os.environ.get(ENV, "").strip()
    if setting:
        try:
            return min(HIGHEST, max(LOWEST, float(setting)))
        except ValueError:
            pass  # an unreadable setting: measure instead
    with _lock:
        if _factor is None:
            _factor = min(HIGHEST, max(LOWEST, workload_seconds() / REFERENCE_SECONDS))
        return _factor


def workload_seconds() -> float:
    """The fixed workload's time: each part's best of REPEATS runs, summed."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    left = rng.normal(size=(256, 64)).astype(np.float32)
    right = rng.normal(size=(64, 12_288)).astype(np.float32)
    values = rng.normal(size=600_000)

    def product() -> None:
        left @ right

    def sort() -> None:
        np.sort(values)

    def python_loop() -> None:
        table = {}
        for i in range(60_000):
            table[str(i)] = i

    with threadpool_limits(limits=1, user_api="blas"):  # as in a job process
        return sum(_best_of(part) for part in (product, sort, python_loop))


def _best_of(part: Callable[[], None]) -> float:
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        part()
        times.append(time.perf_counter() - began)
    return min(times)
