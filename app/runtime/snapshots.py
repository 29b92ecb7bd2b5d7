"""Large progress values a job reports again and again (an intermediate layout), kept latest-only.

A t-SNE or UMAP job reports ``progress(fraction, message, layout=coords)`` about once a second so a
page can draw the picture while it forms. Unlike a loss curve, only the newest of these matters, and
each is large (50,000 x 2 float32 is 400 kB): a job keeps one per key (a ``Snapshot``), never a
history, and a worker process sends them at most every ``MIN_SECONDS_BETWEEN`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

SNAPSHOT_KEYS = frozenset({"layout"})
"""Detail keys whose values are snapshots: the job keeps the latest; every other key is history."""
MIN_SECONDS_BETWEEN = 0.5  # a worker process sends at most two snapshots of a key a second


@dataclass(frozen=True)
class Snapshot:
    """The latest value of one snapshot key, with the progress report it came with."""

    value: Any
    fraction: float
    message: str
    number: int
    """1 for the job's first snapshot of this key, 2 for the next...: tells a page whether it changed."""
    elapsed: float
    """Seconds the job had run when it came."""


def split(detail: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(``detail`` without its snapshot keys, the snapshot values)."""
    history = {key: value for key, value in detail.items() if key not in SNAPSHOT_KEYS}
    latest = {key: value for key, value in detail.items() if key in SNAPSHOT_KEYS}
    return history, latest


def portable(value: Any) -> Any:
    """A snapshot as it is kept and sent: a float array becomes a C-contiguous float32 copy (the
    work may go on changing its own array; float32 halves what a float64 layout costs to send)."""
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return np.array(value, dtype=np.float32, order="C", copy=True)
    return value


def read_only(value: Any) -> Any:
    """``value`` with a numpy array made read-only: pages share it and must not change it."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    return value


class SnapshotThrottle:
    """What a worker process sends: every report, but a snapshot key at most once every
    ``every`` seconds (a report that comes sooner goes without it), so a job that reports its layout
    at every iteration cannot flood the pipe to the server."""

    def __init__(self, every: float = MIN_SECONDS_BETWEEN, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self._sent: dict[str, float] = {}

    def admit(self, detail: dict[str, Any]) -> dict[str, Any]:
        history, latest = split(detail)
        now = self.clock()
        for key, value in latest.items():
            last = self._sent.get(key)
            if last is None or now - last >= self.every:
                self._sent[key] = now
                history[key] = portable(value)
        return history
