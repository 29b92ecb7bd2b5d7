"""UMAP on our exact neighbour graph: umap-learn's fuzzy graph, our spectral start and layout.

umap-learn searches neighbours itself (pairwise distances through a numba callable below 4,096
points: millions of Python calls; pynndescent above, compiled per process). We hand it the exact
graph instead (``app.geometry.knn``) and use its fuzzy simplicial set as ``umap.UMAP.fit`` does;
the spectral start (``app.projection.spectral``) and the layout's epochs
(``app.projection.umap_layout``) are ours: the same optimisation, on every core, the same picture
for a seed on every run and any number of cores, with the epochs' layouts shown as they form.
Unseeded (``reproducible=False``), a fresh random seed gives a new picture each run.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from app.errors import Progress
from app.geometry.knn import neighbour_graph
from app.projection.previews import Previews
from app.projection.spectral import spectral_start
from app.projection.umap_layout import optimize_layout

GRAPH_SHARE = 0.25  # of the progress bar: the neighbour graph, the rest the layout
DISCONNECTION = {"cosine": 2.0}  # umap-learn's: points this far apart are not joined
SPREAD, REPULSION, NEGATIVE_SAMPLE_RATE = 1.0, 1.0, 5  # umap.UMAP's defaults (and its learning rate, 1)


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

    Seeded or not, the layout runs on every core the job may use (``numba_threads``, sized before
    anything parallel runs): the seed only decides whether the picture is the same on every run
    (``reproducible``) or a new random one. Extra: ``previews`` sent, ``threads`` used.
    """
    layout_seed = seed if reproducible else int(np.random.default_rng().integers(2**63))
    with numba_threads(parallel=True) as threads, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedding, previews = _fit(
            np.ascontiguousarray(matrix, dtype=np.float32),
            n_components,
            layout_seed,
            metric,
            progress,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
        )
    return embedding, {"previews": previews, "threads": threads}


def _fit(
    data: np.ndarray,
    n_components: int,
    seed: int,
    metric: str,
    progress: Progress,
    *,
    n_neighbors: int,
    min_dist: float,
) -> tuple[np.ndarray, int]:
    """The steps of ``umap.UMAP.fit`` after its neighbour search, with our spectral start and layout.
    Returns the layout and the number of previews sent."""
    from umap.umap_ import find_ab_params, fuzzy_simplicial_set

    progress(0.02, "finding each point's nearest neighbours (exact)")
    knn_indices, knn_dists = umap_neighbours(data, n_neighbors, metric, progress)
    progress(0.02 + GRAPH_SHARE, "joining neighbours into a graph (fuzzy simplicial set)")
    graph, _, _ = fuzzy_simplicial_set(
        data, n_neighbors, np.random.RandomState(0), metric, knn_indices=knn_indices, knn_dists=knn_dists
    )
    graph = graph.tocoo()
    graph.sum_duplicates()
    n_epochs = 500 if graph.shape[0] <= 10_000 else 200
    graph.data[graph.data < graph.data.max() / float(n_epochs)] = 0.0
    graph.eliminate_zeros()
    progress(0.05 + GRAPH_SHARE, "spectral starting layout")
    embedding = spectral_start(graph, n_components, data=data, metric=metric, seed=seed)
    a, b = find_ab_params(SPREAD, min_dist)
    previews = Previews(progress)
    low = 0.1 + GRAPH_SHARE

    def report(done: int, total: int) -> None:
        previews.report(low + (0.99 - low) * done / total, f"UMAP layout, epoch {done} of {total}", embedding)

    optimize_layout(
        embedding,
        graph,
        n_epochs=n_epochs,
        a=a,
        b=b,
        seed=seed,
        repulsion=REPULSION,
        negative_sample_rate=NEGATIVE_SAMPLE_RATE,
        after_chunk=report,
    )
    return embedding, previews.sent


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
    if not pool._is_initialized and config.THREADING_LAYER == "forksafe":
        # A job process never forks, so it may use OpenMP: the layout starts two parallel loops per
        # block of every epoch, and the fork-safe workqueue made each start cost ~0.4 ms (a 2,000-point
        # UMAP took 7 s instead of 1.5 s). "default" is TBB, else OpenMP, else the workqueue.
        config.THREADING_LAYER = "default"
    threads = int(numba.get_num_threads())  # starts the pool: ``wanted`` threads when raised above
    try:
        yield threads
    finally:
        if raised:
            numba.set_num_threads(given)  # the pool stays; later parallel code uses what the process was given
