"""Fake slow layout work for the streaming tests: it reports ``layout=coords`` the way t-SNE and UMAP
do once the projection code emits them (branch h-knn), at a pace the test chooses.

Module-level functions, so a worker process can import them (the job runner's process isolation).
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import numpy as np

from app.projection.methods import Projection
from app.space import EmbeddingSpace

TOTAL_ITERATIONS = 750
HOLD_SECONDS = 60.0  # a held job gives up after this: a safety net, never reached by a passing test


def frame(start: np.ndarray, end: np.ndarray, step: int, steps: int) -> np.ndarray:
    """The layout after ``step`` of ``steps``: on the way from ``start`` to ``end``."""
    share = step / steps
    return (1 - share) * start + share * end


def streamed_layout(
    start: np.ndarray,
    end: np.ndarray,
    *,
    steps: int,
    pause: float = 0.0,
    hold: str | None = None,
    progress,
) -> np.ndarray:
    """Report ``steps`` layouts between ``start`` and ``end`` ("iteration 250 of 750" ...), ``pause``
    seconds apart, in ONE buffer changed in place (as openTSNE hands its callbacks the live embedding);
    then, with ``hold`` (a file path), keep reporting without a layout until that file exists."""
    buffer = np.array(start, dtype=np.float64)
    for step in range(1, steps + 1):
        iteration = step * TOTAL_ITERATIONS // steps
        buffer[:] = frame(start, end, step, steps)
        progress(
            0.15 + 0.85 * iteration / TOTAL_ITERATIONS,
            f"t-SNE optimisation, iteration {iteration} of {TOTAL_ITERATIONS}",
            layout=buffer,
            loss=1.0 / step,
        )
        time.sleep(pause)
    deadline = time.monotonic() + HOLD_SECONDS
    while hold is not None and not Path(hold).exists() and time.monotonic() < deadline:
        progress(0.99, "finishing")
        time.sleep(0.02)
    return buffer.copy()


def slow_projection(
    space: EmbeddingSpace,
    method: str,
    n_components: int,
    *,
    seed: int = 0,
    metric: str = "cosine",
    steps: int = 20,
    pause: float = 0.5,
    hold: str | None = None,
    progress,
    **params,
) -> Projection:
    """A stand-in for ``app.projection.methods.project`` that takes ``steps * pause`` seconds and
    streams its layout: from a random cloud to the PCA picture of ``space``."""
    began = time.perf_counter()
    vectors = np.asarray(space.vectors, dtype=np.float64)
    centred = vectors - vectors.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    end = centred @ axes[:n_components].T
    start = np.random.default_rng(seed).normal(scale=float(end.std()), size=end.shape)
    coords = streamed_layout(start, end, steps=steps, pause=pause, hold=hold, progress=progress)
    return Projection(
        coords=coords.astype(np.float32),
        method=method,
        n_components=n_components,
        params={**params, "metric": metric, "seed": seed},
        seconds=time.perf_counter() - began,
    )


def slow_job_for(request, **timing) -> partial:
    """The work Explore would submit for ``request`` (a ProjectionRequest), with ``slow_projection``
    in place of t-SNE/UMAP; ``timing``: its steps, pause and hold."""
    return partial(
        slow_projection,
        request.space,
        request.method,
        request.dims,
        seed=request.seed,
        metric=request.metric,
        **timing,
        **dict(request.params),
    )
