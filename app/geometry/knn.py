"""The exact k-nearest-neighbour graph of a set of unit vectors, by blocked matrix products.

One kernel for every consumer that needs each point's neighbours (Compare's neighbour overlap,
and the projection and distortion code that can take a precomputed graph): a block of rows is
scored against all rows with one matrix product, the point itself is left out, and argpartition
keeps the k best. Memory is bounded by the block, whatever the number of points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.errors import InputError, Progress

BLOCK_BYTES = 64 * 1024**2  # one block of float32 scores; 64 MB keeps a class server comfortable


@dataclass(frozen=True)
class KnnGraph:
    """Each row's k nearest other rows, best first: ``indices`` (n × k) and their cosine ``similarities``."""

    indices: np.ndarray
    similarities: np.ndarray

    @property
    def k(self) -> int:
        return int(self.indices.shape[1])


def knn_graph(unit: np.ndarray, k: int, *, progress: Progress | None = None) -> KnnGraph:
    """The exact cosine kNN graph of the rows of ``unit`` (rows already scaled to length 1).

    ``progress`` is called after every block with the fraction done; it may raise Cancelled.
    """
    unit = np.ascontiguousarray(unit, dtype=np.float32)
    if unit.ndim != 2:
        raise InputError(f"expected a 2-D matrix of vectors, got shape {unit.shape}")
    n = unit.shape[0]
    if not 1 <= k < n:
        raise InputError(f"k must be between 1 and {n - 1} (one less than the number of points), not {k}")
    block = max(1, min(n, BLOCK_BYTES // (4 * n)))
    indices = np.empty((n, k), dtype=np.int32)
    similarities = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(n, start + block)
        scores = unit[start:stop] @ unit.T
        rows = np.arange(stop - start)
        scores[rows, rows + start] = -np.inf  # a point is not its own neighbour
        top = _top_k_rows(scores, k)
        indices[start:stop] = top
        similarities[start:stop] = np.take_along_axis(scores, top, axis=1)
        if progress is not None:
            progress(stop / n, f"neighbours of {stop:,} of {n:,} points")
    return KnnGraph(indices=indices, similarities=similarities)


def _top_k_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Per row, the columns of the k highest scores, best first (equal scores: lower column first).

    A full argpartition of every row is the slow part, so a row's k-th best score among its first
    few thousand columns serves as a floor (the true k-th best can only be higher); the few columns
    at or above it are sorted exactly. Same answer, a fraction of the work.
    """
    rows, n = scores.shape
    sample = min(n, max(2048, 8 * k))
    floor = np.partition(scores[:, :sample], sample - k, axis=1)[:, sample - k]
    # flatnonzero and divmod: several times faster than a 2-D np.nonzero on a block of scores
    row, column = np.divmod(np.flatnonzero(scores >= floor[:, None]), n)
    order = np.lexsort((column, -scores[row, column], row))
    row, column = row[order], column[order]
    starts = np.concatenate(([0], np.cumsum(np.bincount(row, minlength=rows))[:-1]))
    return column[starts[:, None] + np.arange(k)].astype(np.int32)
