"""The exact k-nearest-neighbour graph of a set of vectors, by blocked matrix products, computed once.

One kernel for every consumer that needs each point's neighbours: UMAP and t-SNE (given the graph
instead of searching approximately), the distortion measures, Compare's neighbour overlap and the
label share. The scores are computed a cache-sized tile at a time by a single-threaded BLAS
product (unit vectors for cosine; ``-d²/2`` for euclidean, which ranks like the distance), and a
compiled scan merges the tile into each point's k best, the point itself left out, while the tile
is still in cache: the n × n scores never go out to memory. One thread per core takes a stripe of
tiles (the product and the scan release the GIL). The whole graph scores each pair once (tiles on
and above the diagonal, each serving its rows and its columns); a few query rows are scored
against every column. Memory is a tile and a set of kept lists per thread, whatever the number
of points. ``neighbour_graph`` keeps the last few graphs of the process, so a second consumer
(or a smaller k) costs a slice.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial

import numpy as np

from app.errors import InputError, Progress
from app.geometry.top_k import (
    exact_distances,
    merge_kept,
    prefer_lower_duplicates,
    row_hashes,
    top_k_block,
    top_k_pairs,
)

METRICS = ("cosine", "euclidean")
TILE_ROWS = 512  # a tile of scores is scanned while still in cache (float32: 4 MB; larger
TILE_COLUMNS = 2048  # products than an L2-sized 1 MB tile run faster, and the L3 holds it)
PAIR_TILE = 512  # the whole graph's square tiles (float32: 1 MB, 2 MB for euclidean's float64)
CACHE_BYTES = 256 * 1024**2
CACHE_ENTRIES = 8


@dataclass(frozen=True)
class KnnGraph:
    """Each row's k nearest other rows, nearest first: ``indices`` (n × k, int32) and ``distances``
    (n × k, float32: cosine distance 1 - cos for cosine, euclidean distance for euclidean)."""

    indices: np.ndarray
    distances: np.ndarray
    metric: str = "cosine"

    @property
    def k(self) -> int:
        return int(self.indices.shape[1])

    @property
    def similarities(self) -> np.ndarray:
        """Cosine similarities (cosine graphs only): 1 - distance."""
        if self.metric != "cosine":
            raise InputError("similarities are defined for a cosine graph only")
        return (1.0 - self.distances).astype(np.float32)

    def first(self, k: int) -> KnnGraph:
        """The graph of the k nearest (a larger graph answers a smaller k by slicing)."""
        if k > self.k:
            raise InputError(f"this graph has {self.k} neighbours per point, not {k}")
        if k == self.k:
            return self
        return KnnGraph(self.indices[:, :k], self.distances[:, :k], self.metric)

    @property
    def nbytes(self) -> int:
        return int(self.indices.nbytes + self.distances.nbytes)


def knn_graph(vectors: np.ndarray, k: int, *, metric: str = "cosine", progress: Progress | None = None) -> KnnGraph:
    """The exact kNN graph of the rows of ``vectors`` (any length; cosine scales them to length 1).

    Equal distances: the lower row first (distances recomputed exactly, see ``exact_distances``;
    identical points resolved by content, see ``_prefer_lower_duplicates``). ``progress`` is called
    after every stripe of tiles with the fraction done; it may raise Cancelled.
    """
    if metric not in METRICS:
        raise InputError(f"unknown metric {metric!r}; choose cosine or euclidean")
    points = np.asarray(vectors)
    if points.ndim != 2:
        raise InputError(f"expected a 2-D matrix of vectors, got shape {points.shape}")
    n = points.shape[0]
    if not 1 <= k < n:
        raise InputError(f"k must be between 1 and {n - 1} (one less than the number of points), not {k}")
    if metric == "cosine":
        points = _unit_rows(points.astype(np.float32))
        left, transposed = points, np.ascontiguousarray(points.T)
    else:  # float64: low-dimensional pictures have near-ties that float32 would misorder
        points = np.ascontiguousarray(points, dtype=np.float64)
        left, transposed = _with_offsets(points)
    threads = _threads()
    with ThreadPoolExecutor(threads, thread_name_prefix="knn-scan") as pool:
        indices = _scan_pairs(left, transposed, k, pool=pool, threads=threads, progress=progress)
        _prefer_lower_duplicates(points, indices)
        cosine = metric == "cosine"
        parts = [pool.submit(exact_distances, points, indices[a:b], cosine, a) for a, b in _shares(0, n, threads)]
        distances = np.concatenate([part.result() for part in parts]).astype(np.float32)
    return KnnGraph(indices, distances, metric)


def nearest_rows(unit: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Each query's k nearest other rows of ``unit`` (rows of length 1, so by cosine), nearest first.

    ``queries`` are row numbers of ``unit``; the result is queries × k row numbers (int32). Scored in
    row stripes of cache-sized tiles (``_scan``): a few rows against every column, where
    ``knn_graph`` scores each pair of all rows once.
    """
    rows = np.asarray(queries, dtype=np.int64)
    if not 1 <= k < len(unit):
        raise InputError(f"k must be between 1 and {len(unit) - 1} (one less than the number of points), not {k}")
    points = np.ascontiguousarray(unit, dtype=np.float32)
    threads = _threads()
    with ThreadPoolExecutor(threads, thread_name_prefix="knn-scan") as pool:
        return _scan(points[rows], np.ascontiguousarray(points.T), rows, k, pool=pool, threads=threads)


def _scan(
    left: np.ndarray,
    transposed: np.ndarray,
    selves: np.ndarray,
    k: int,
    *,
    pool: ThreadPoolExecutor,
    threads: int,
    progress: Progress | None = None,
) -> np.ndarray:
    """The k best columns of ``left @ transposed`` for each row (row r's own point ``selves[r]``
    left out), scored and scanned a tile of TILE_ROWS × TILE_COLUMNS at a time.

    Each thread of ``pool`` takes a stripe of rows and walks its column tiles left to right: one
    single-threaded BLAS product into the thread's own tile, scanned at once while it is still in
    the core's cache, rather than a block of scores written out to memory and read back.
    """
    queries, n = len(left), transposed.shape[1]
    rows = max(1, min(TILE_ROWS, -(-queries // threads)))  # a stripe for every thread, even for a few queries
    columns = max(1, min(TILE_COLUMNS, n))
    edges = list(range(0, n, columns))
    panels = [np.ascontiguousarray(transposed[:, c : c + columns]) for c in edges]
    indices = np.empty((queries, k), dtype=np.int32)
    best = np.empty((queries, k), dtype=left.dtype)
    filled = np.zeros(queries, dtype=np.int64)
    local = threading.local()

    def stripe(start: int, stop: int) -> int:
        tile = getattr(local, "tile", None)
        if tile is None:
            tile = local.tile = np.empty(rows * columns, dtype=left.dtype)
        part, itself = left[start:stop], selves[start:stop]
        chosen, values, count = indices[start:stop], best[start:stop], filled[start:stop]
        for offset, panel in zip(edges, panels, strict=True):
            scores = tile[: (stop - start) * panel.shape[1]].reshape(stop - start, panel.shape[1])
            np.matmul(part, panel, out=scores)
            top_k_block(scores, itself, offset, chosen, values, count)
        return stop - start

    tasks = [partial(stripe, start, min(queries, start + rows)) for start in range(0, queries, rows)]
    _run(pool, tasks, total=queries, points=queries, progress=progress)
    return indices


def _scan_pairs(
    left: np.ndarray,
    transposed: np.ndarray,
    k: int,
    *,
    pool: ThreadPoolExecutor,
    threads: int,
    progress: Progress | None = None,
) -> np.ndarray:
    """Every row's k best other columns of the symmetric ``left @ transposed``, each pair scored once.

    Square tiles of PAIR_TILE on and above the diagonal only (half the products of ``_scan``), each
    merged into the kept lists of both its rows and its columns. A thread takes a stripe (a row of
    tiles, the largest first) and keeps lists of its own for every point; they are merged at the end.
    """
    n = len(left)
    size = max(1, min(PAIR_TILE, -(-n // threads)))
    starts = list(range(0, n, size))
    panels = [np.ascontiguousarray(transposed[:, c : c + size]) for c in starts]
    kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    lock = threading.Lock()
    local = threading.local()

    def stripe(number: int) -> int:
        if not hasattr(local, "kept"):
            local.tile = np.empty(size * size, dtype=left.dtype)
            local.kept = (np.empty((n, k), np.int32), np.empty((n, k), left.dtype), np.zeros(n, np.int64))
            with lock:
                kept.append(local.kept)
        start = starts[number]
        part = left[start : start + size]
        for column, panel in zip(starts[number:], panels[number:], strict=True):
            scores = local.tile[: len(part) * panel.shape[1]].reshape(len(part), panel.shape[1])
            np.matmul(part, panel, out=scores)
            top_k_pairs(scores, start, column, *local.kept)
        return len(starts) - number

    tasks = [partial(stripe, number) for number in range(len(starts))]
    _run(pool, tasks, total=len(starts) * (len(starts) + 1) // 2, points=n, progress=progress)
    indices, best, filled = kept[0]
    for more in kept[1:]:
        merge_kept(indices, best, filled, *more)
    return indices


def _run(
    pool: ThreadPoolExecutor, tasks: Sequence[Callable[[], int]], *, total: int, points: int, progress: Progress | None
) -> None:
    """Run ``tasks`` on ``pool`` with BLAS on one core each (the threads are the parallelism), reporting
    progress as they finish; each returns its share of ``total``. A raising ``progress`` (Cancelled)
    cancels the tasks not started and waits for the running ones."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        jobs = [pool.submit(task) for task in tasks]
        try:
            done = 0
            for job in jobs:
                done += job.result()
                if progress is not None:
                    progress(done / total, f"neighbours of {points * done // total:,} of {points:,} points")
        finally:
            for job in jobs:
                job.cancel()
            wait(jobs)


def warm_up() -> None:
    """Build two tiny graphs (both metrics, identical rows included) and a few rows' neighbours so
    numba compiles, or loads from its disk cache, every kernel they can need now rather than in a
    student's first one."""
    data = np.random.default_rng(0).normal(size=(40, 4))
    data[1] = data[0]
    for metric in METRICS:
        knn_graph(data, 3, metric=metric)
    nearest_rows(_unit_rows(data.astype(np.float32)), np.arange(3), 3)


def _with_offsets(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean scores in one matrix product: ``[x, 1, -|x|²/2] · [y, -|y|²/2, 1] = -d²/2``, which
    ranks a row's columns like their distance and is symmetric (a pair scored once serves both)."""
    ones = np.ones((len(points), 1), dtype=points.dtype)
    offsets = -0.5 * np.einsum("ij,ij->i", points, points)[:, None]
    return np.hstack([points, ones, offsets]), np.ascontiguousarray(np.hstack([points, offsets, ones]).T)


def _prefer_lower_duplicates(points: np.ndarray, indices: np.ndarray) -> None:
    """Where a row kept some of a group of identical points, make them the group's lowest rows (the
    tie rule), whatever the last bits of their scores said (see ``prefer_lower_duplicates``)."""
    bits = points.view(np.uint32 if points.itemsize == 4 else np.uint64)
    hashes = row_hashes(bits)
    order = np.argsort(hashes, kind="stable")  # identical rows: one run, in ascending order
    hashes = hashes[order]
    run = np.cumsum(np.r_[True, hashes[1:] != hashes[:-1]]) - 1
    sizes = np.bincount(run)
    shared = sizes[run] > 1
    if not shared.any():
        return
    members = order[shared]
    renumbered = np.cumsum(np.r_[True, np.diff(run[shared]) != 0]) - 1
    starts = np.flatnonzero(np.r_[True, np.diff(renumbered) != 0])
    if not (bits[members] == bits[members[starts[renumbered]]]).all():
        return  # two different rows with one hash: too rare to handle, the scan's choice stands
    group = np.full(len(points), -1, dtype=np.int64)
    group[members] = renumbered
    prefer_lower_duplicates(indices, group, starts, members)


def _shares(start: int, stop: int, parts: int) -> list[tuple[int, int]]:
    """Rows ``start .. stop`` cut into at most ``parts`` consecutive, non-empty, near-equal ranges."""
    edges = np.linspace(start, stop, parts + 1).astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def _threads() -> int:
    """The cores this process may use: the scan and the exact distances split their rows between that many threads."""
    return max(1, len(os.sched_getaffinity(0)))


def _unit_rows(points: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(points, axis=1, keepdims=True)
    return np.divide(points, norms, out=np.zeros_like(points), where=norms > 0)


class GraphCache:
    """The last few graphs of this process, by (content key, metric), bounded in bytes and entries.

    Each entry keeps the largest k asked for; a smaller k is a slice of it.
    """

    def __init__(self, *, max_bytes: int = CACHE_BYTES, max_entries: int = CACHE_ENTRIES) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.computed = 0  # graphs built (a counter for tests and benches)
        self._graphs: OrderedDict[tuple[str, str], KnnGraph] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, metric: str, k: int) -> KnnGraph | None:
        with self._lock:
            graph = self._graphs.get((key, metric))
            if graph is None or graph.k < k:
                return None
            self._graphs.move_to_end((key, metric))
            return graph.first(k)

    def put(self, key: str, graph: KnnGraph) -> None:
        with self._lock:
            self.computed += 1
            if graph.nbytes > self.max_bytes:
                return
            self._graphs[(key, graph.metric)] = graph
            self._graphs.move_to_end((key, graph.metric))
            while len(self._graphs) > self.max_entries or self.nbytes > self.max_bytes:
                self._graphs.popitem(last=False)

    @property
    def nbytes(self) -> int:
        return sum(graph.nbytes for graph in self._graphs.values())

    def __len__(self) -> int:
        return len(self._graphs)

    def clear(self) -> None:
        with self._lock:
            self._graphs.clear()


GRAPHS = GraphCache()


def content_key(vectors: np.ndarray) -> str:
    """A digest of the matrix itself (shape, type and every number): the cache key when none is given."""
    points = np.ascontiguousarray(vectors)
    digest = hashlib.blake2b(points.reshape(-1).view(np.uint8).data, digest_size=16)
    digest.update(f"{points.shape}{points.dtype}".encode())
    return digest.hexdigest()


def neighbour_graph(
    vectors: np.ndarray,
    k: int,
    *,
    metric: str = "cosine",
    key: str | None = None,
    progress: Progress | None = None,
) -> KnnGraph:
    """``knn_graph``, computed once per process for the same vectors and metric (see ``GRAPHS``).

    ``key`` names the vectors' content (e.g. a space's fingerprint); by default a digest of them.
    """
    key = key if key is not None else content_key(vectors)
    found = GRAPHS.get(key, metric, k)
    if found is not None:
        return found
    graph = knn_graph(vectors, k, metric=metric, progress=progress)
    GRAPHS.put(key, graph)
    return graph
