"""Intermediate layouts of a long projection, handed to the progress callback for streaming.

``progress(fraction, message, layout=coords)`` with ``coords`` a float32 copy (points x components,
the input's row order), at most once per ``PERIOD`` seconds and never in a run's first period, so a
run shorter than that sends none. A copy is taken between iterations, so the run itself, and its
final picture, are the same with previews as without.
"""

from __future__ import annotations

import time

import numpy as np

from app.errors import Progress

PERIOD = 1.0


class Previews:
    """Reports progress, adding a copy of the current layout when a period has passed since the last."""

    def __init__(self, progress: Progress, *, period: float | None = None) -> None:
        self.progress = progress
        self.period = PERIOD if period is None else period
        self.sent = 0
        self._last = time.perf_counter()

    def report(self, fraction: float, message: str, layout: np.ndarray) -> None:
        now = time.perf_counter()
        if now - self._last < self.period:
            self.progress(fraction, message)
            return
        self._last = now
        self.sent += 1
        self.progress(fraction, message, layout=np.array(layout, dtype=np.float32, copy=True))
