"""UMAP from umap-learn's public pieces, on our exact neighbour graph, with previews of the layout.

umap-learn searches neighbours itself (pairwise distances through a numba callable below 4,096
points: millions of Python calls; pynndescent above, compiled per process). We hand it the exact
graph instead (``app.geometry.knn``) and run the rest as ``umap.UMAP.fit`` does: the fuzzy
simplicial set, the spectral start, then ``optimize_layout_euclidean`` on an array we own, so the
epochs' layouts can be shown as they form. Seeded, the result equals ``umap.UMAP(random_state=seed,
precomputed_knn=...)`` (tested). Unseeded (``reproducible=False``), numba runs the layout on every
core the job may use, and the picture differs a little each run.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from app.errors import Progress
from app.geometry.knn import neighbour_graph
from app.projection.previews import Previews

GRAPH_SHARE = 0.25  # of the progress bar: the neighbour graph, the rest the layout
DISCONNECTION = {"cosine": 2.0}  # umap-learn's: points this far apart are not joined
SPREAD, LEARNING_RATE, REPULSION, NEGATIVE_SAMPLE_RATE = 1.0, 1.0, 1.0, 5  # umap.UMAP's defaults


def umap_neighbours(matrix: np.ndarray, n_neighbors: int, metric: str, progress: Progress) -> tuple:
    """(indices, distances) as umap-learn builds them: the point itself first at distance 0, then its
    ``n_neighbors - 1`` nearest others, from the shared exact graph."""
    graph = neighbour_graph(
        matrix,
        n_neighbors - 1,
        metric=metric,
        progress=lambda fraction, message, /, **_: progress(0.02 + GRAPH_SHARE * fraction, message),
    )
    n = len(matrix)
    indices = np.hstack([np.arange(n, dtype=np.int32)[:, None], graph.indices])
    distances = np.hstack([np.zeros((n, 1), np.float32), graph.distances])
    distances[distances >= DISCONNECTION.get(metric, np.inf)] = np.inf
    return indices, distances


def run_umap(
    matrix: np.ndarray,
    n_components: int,
    seed: int,
    metric: str,
    progress: Progress,
    *,
    n_neighbors: int,
    min_dist: float,
    reproducible: bool = True,
    **_: Any,
) -> tuple[np.ndarray, dict[str, Any]]:
    """UMAP coordinates (n x n_components) of the rows of ``matrix``; previews through ``progress``.

    Unseeded, numba's pool is sized before anything of umap-learn's runs in parallel (its fuzzy
    simplicial set does), so the layout gets every core (``numba_threads``).
    """
    with numba_threads(parallel=not reproducible) as threads, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedding, previews = _fit(
            np.ascontiguousarray(matrix, dtype=np.float32),
            n_components,
            seed if reproducible else None,
            metric,
            progress,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
        )
    return embedding, {"previews": previews, "threads": threads}


def _fit(
    data: np.ndarray,
    n_components: int,
    seed: int | None,
    metric: str,
    progress: Progress,
    *,
    n_neighbors: int,
    min_dist: float,
) -> tuple[np.ndarray, int]:
    """The steps of ``umap.UMAP.fit`` after its neighbour search, in its order (so its random draws
    match); the layout array is ours, for previews. Returns it and the number of previews sent."""
    from sklearn.utils import check_random_state
    from umap.layouts import optimize_layout_euclidean
    from umap.spectral import spectral_layout
    from umap.umap_ import (
        INT32_MAX,
        INT32_MIN,
        find_ab_params,
        fuzzy_simplicial_set,
        make_epochs_per_sample,
        noisy_scale_coords,
    )

    progress(0.02, "finding each point's nearest neighbours (exact)")
    knn_indices, knn_dists = umap_neighbours(data, n_neighbors, metric, progress)
    random_state = check_random_state(seed)
    progress(0.02 + GRAPH_SHARE, "joining neighbours into a graph (fuzzy simplicial set)")
    graph, _, _ = fuzzy_simplicial_set(
        data, n_neighbors, random_state, metric, knn_indices=knn_indices, knn_dists=knn_dists
    )
    graph = graph.tocoo()
    graph.sum_duplicates()
    n_epochs = 500 if graph.shape[0] <= 10_000 else 200
    graph.data[graph.data < graph.data.max() / float(n_epochs)] = 0.0
    graph.eliminate_zeros()
    progress(0.05 + GRAPH_SHARE, "spectral starting layout")
    start = spectral_layout(data, graph, n_components, random_state, metric=metric, metric_kwds={})
    start = noisy_scale_coords(start, random_state, max_coord=10, noise=0.0001)
    epochs_per_sample = make_epochs_per_sample(graph.data, n_epochs)
    rng_state = random_state.randint(INT32_MIN, INT32_MAX, 3).astype(np.int64)
    low, high = np.min(start, 0), np.max(start, 0)
    embedding = (10.0 * (start - low) / (high - low)).astype(np.float32, order="C")
    a, b = find_ab_params(SPREAD, min_dist)
    epochs = _EpochFile(Previews(progress), embedding, low=0.1 + GRAPH_SHARE)
    optimize_layout_euclidean(
        embedding,
        embedding,
        graph.row,
        graph.col,
        n_epochs,
        graph.shape[1],
        epochs_per_sample,
        a,
        b,
        rng_state,
        REPULSION,
        LEARNING_RATE,
        NEGATIVE_SAMPLE_RATE,
        parallel=seed is None,
        verbose=False,
        tqdm_kwds={"disable": False, "file": epochs, "bar_format": "{n}/{total}", "mininterval": 0.25},
        move_other=True,
    )
    return embedding, epochs.previews.sent


class _EpochFile:
    """The file umap-learn's tqdm bar ('{n}/{total}') writes to between epochs: turned into progress,
    with the layout array (updated in place by the optimiser) as a preview."""

    def __init__(self, previews: Previews, embedding: np.ndarray, *, low: float) -> None:
        self.previews = previews
        self.embedding = embedding
        self.low = low

    def write(self, text: str) -> None:
        match = re.search(r"(\d+)/(\d+)", text)
        if match and int(match.group(2)):
            done, total = int(match.group(1)), int(match.group(2))
            fraction = self.low + (0.99 - self.low) * done / total
            self.previews.report(fraction, f"UMAP layout, epoch {done} of {total}", self.embedding)

    def flush(self) -> None:
        pass


@contextmanager
def numba_threads(*, parallel: bool) -> Iterator[int]:
    """numba's thread count for a parallel layout: every core this process may use; yields the count.

    Job processes inherit NUMBA_NUM_THREADS=1 from the forkserver (``app.runtime.preload``), which
    numba reads at import as the size of its pool. The pool starts at its first parallel call, so
    while it has not started yet, its size is raised here first; once started, it cannot grow (the
    count yielded then says what the layout really gets).
    """
    if not parallel:
        yield 1
        return
    import numba
    from numba.core import config as numba_config
    from numba.np.ufunc import parallel as pool

    config: Any = numba_config  # its settings are set at import, unknown to mypy

    wanted = len(os.sched_getaffinity(0))
    given = int(config.NUMBA_NUM_THREADS)
    raised = not pool._is_initialized and given < wanted
    if raised:
        config.NUMBA_NUM_THREADS = wanted
        pool.NUM_THREADS = wanted
    threads = int(numba.get_num_threads())  # starts the pool: ``wanted`` threads when raised above
    try:
        yield threads
    finally:
        if raised:
            numba.set_num_threads(given)  # the pool stays; later parallel code uses what the process was given
